package contents

import (
	"context"
	"regexp"
	"strconv"
	"strings"
)

// splitName splits a file name where the reference numbers it: at the
// last dot for notebooks, at the first dot otherwise ("a.tar.gz" numbers
// as "a1.tar.gz").
func splitName(name string) (stem, suffix string) {
	i := strings.IndexByte(name, '.')
	if strings.HasSuffix(name, ".ipynb") {
		i = strings.LastIndexByte(name, '.')
	}
	if i < 0 {
		return name, ""
	}
	return name[:i], name[i:]
}

// candidate returns the i-th name tried for name: name itself, then the
// stem followed by insert and i.
func candidate(stem, suffix, insert string, i int) string {
	if i == 0 {
		return stem + suffix
	}
	return stem + insert + strconv.Itoa(i) + suffix
}

// namesWithPrefix returns the names of the entries of folder dir (files
// and folders) that start with start. Every candidate name starts with the
// stem, so listing only those keys stays cheap in large folders.
func (m *Manager) namesWithPrefix(ctx context.Context, op, dir, start string) (map[string]bool, error) {
	prefix := m.ks.dir(dir)
	names := map[string]bool{}
	for e, err := range m.store.List(ctx, prefix+start, "/", "") {
		if err != nil {
			return nil, storeError(op, dir, err)
		}
		names[strings.TrimSuffix(e.Key[len(prefix):], "/")] = true
	}
	return names, nil
}

var copySuffix = regexp.MustCompile(`-Copy\d*\.`)

// copyStem returns the stem and suffix copies of from_name are numbered
// from: every "-Copy<digits>." is removed first, so copying a copy gives
// "a-Copy2.txt" rather than "a-Copy1-Copy1.txt".
func copyStem(name string) (stem, suffix string) {
	return splitName(copySuffix.ReplaceAllString(name, "."))
}
