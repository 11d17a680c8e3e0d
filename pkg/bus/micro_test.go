package bus

import "testing"

func TestMicroVersion(t *testing.T) {
	for in, want := range map[string]string{
		"dev": "0.0.0+dev", "v1.2.3": "1.2.3", "1.2.3-rc.1": "1.2.3-rc.1", "": "0.0.0",
		"abc123.dirty/x": "0.0.0+abc123-dirty-x",
	} {
		if got := microVersion(in); got != want {
			t.Errorf("microVersion(%q) = %q, want %q", in, got, want)
		}
	}
}
