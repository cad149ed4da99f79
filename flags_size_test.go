package main

import "testing"

func TestSizeValue(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"64", 64 << 20, true},
		{"0", 0, true},
		{"512KiB", 512 << 10, true},
		{"512K", 512 << 10, true},
		{"1GiB", 1 << 30, true},
		{"3M", 3 << 20, true},
		{"10MiB", 10 << 20, true},
		{"1048576B", 1 << 20, true},
		{" 2 GiB ", 2 << 30, true},
		{"", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"MiB", 0, false},
		{"12TB", 0, false},
		{"99999999999GiB", 0, false},
	} {
		var v sizeValue
		err := v.Set(tc.in)
		if (err == nil) != tc.ok || (tc.ok && int64(v) != tc.want) {
			t.Errorf("Set(%q) = %d, %v; want %d, ok %v", tc.in, int64(v), err, tc.want, tc.ok)
		}
	}
}

func TestUploadMemorySetting(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want int64
	}{
		{"default", nil, nil, defaultUploadMemory},
		{"flag in MiB", []string{"--upload-memory", "128"}, nil, 128 << 20},
		{"flag off", []string{"--upload-memory=0"}, nil, 0},
		{"environment", nil, map[string]string{"JUPYTERS3_UPLOAD_MEMORY": "1GiB"}, 1 << 30},
		{"flag wins", []string{"--upload-memory=16"}, map[string]string{"JUPYTERS3_UPLOAD_MEMORY": "1GiB"}, 16 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseConfig(tc.args, func(k string) string { return tc.env[k] })
			if err != nil {
				t.Fatalf("parseConfig(%q, %v) = %v", tc.args, tc.env, err)
			}
			if cfg.uploadMemory != tc.want {
				t.Errorf("parseConfig(%q, %v): upload memory %d, want %d", tc.args, tc.env, cfg.uploadMemory, tc.want)
			}
		})
	}
	if _, err := parseConfig([]string{"--upload-memory=lots"}, func(string) string { return "" }); err == nil {
		t.Error("parseConfig(--upload-memory=lots) succeeded")
	}
}
