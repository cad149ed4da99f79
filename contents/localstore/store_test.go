package localstore_test

import (
	"testing"

	"github.com/jupyters3/jupyters3/contents"
	"github.com/jupyters3/jupyters3/contents/contentstest"
	"github.com/jupyters3/jupyters3/contents/localstore"
)

func newStore(t testing.TB) contents.Store {
	s, err := localstore.Open(t.TempDir(), localstore.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	contentstest.Run(t, newStore)
}

func BenchmarkLocalStore(b *testing.B) {
	contentstest.Bench(b, func(t testing.TB) contents.Store {
		s, err := localstore.Open(t.TempDir(), localstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
