package contentstest_test

import (
	"testing"

	"github.com/jupyters3/jupyters3/contents"
	"github.com/jupyters3/jupyters3/contents/contentstest"
)

func TestMemStore(t *testing.T) {
	contentstest.Run(t, func(testing.TB) contents.Store {
		return contentstest.NewMemStore(contentstest.MemOptions{})
	})
}

func TestMemStorePOSIX(t *testing.T) {
	contentstest.Run(t, func(testing.TB) contents.Store {
		return contentstest.NewMemStore(contentstest.MemOptions{POSIX: true, OmitWriteTime: true})
	})
}

func BenchmarkMemStore(b *testing.B) {
	contentstest.Bench(b, func(testing.TB) contents.Store {
		return contentstest.NewMemStore(contentstest.MemOptions{})
	})
}
