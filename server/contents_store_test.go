package server

import (
	"testing"

	"github.com/jupyters3/jupyters3/contents"
	"github.com/jupyters3/jupyters3/contents/localstore"
)

// testStore returns the store the contents tests run over: the local
// folder store at root, so that tests can check on disk that nothing
// outside root was touched.
func testStore(t *testing.T, root string) contents.Store {
	t.Helper()
	s, err := localstore.Open(root, localstore.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
