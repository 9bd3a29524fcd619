package photo

import "testing"

func TestFit(t *testing.T) {
	for _, c := range []struct{ w, h, side, gw, gh int }{
		{4032, 3024, 2048, 2048, 1536}, // a phone camera's 12 MP
		{3024, 4032, 2048, 1536, 2048},
		{2600, 600, 2048, 2048, 473},
		{1600, 1200, 2048, 1600, 1200}, // never enlarged
		{100000, 1, 2048, 2048, 1},     // at least a pixel
		{0, 0, 2048, 0, 0},
	} {
		if w, h := Fit(c.w, c.h, c.side); w != c.gw || h != c.gh {
			t.Errorf("Fit(%d, %d) = %dx%d, want %dx%d", c.w, c.h, w, h, c.gw, c.gh)
		}
	}
}
