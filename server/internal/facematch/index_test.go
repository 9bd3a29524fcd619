package facematch

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"testing"
)

// bruteForce is the obvious search the index must agree with.
func bruteForce(ids []string, descs map[string][]Descriptor, q Descriptor, limit float64) Hit {
	best := map[string]float64{}
	for _, id := range ids {
		best[id] = math.Inf(1)
		for _, d := range descs[id] {
			best[id] = math.Min(best[id], Distance(d, q))
		}
	}
	order := slices.Clone(ids)
	slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(best[a], best[b]) })
	h := Hit{Distance: math.Inf(1), SecondDistance: math.Inf(1)}
	if len(order) > 0 && best[order[0]] < limit {
		h.Employee, h.Distance = order[0], best[order[0]]
	}
	if len(order) > 1 && best[order[1]] < limit {
		h.Second, h.SecondDistance = order[1], best[order[1]]
	}
	return h
}

func galleryOf(n, perEmployee int) ([]string, map[string][]Descriptor) {
	ids := make([]string, 0, n/perEmployee)
	descs := map[string][]Descriptor{}
	for i := range n {
		id := fmt.Sprintf("e%06d", i/perEmployee)
		if len(descs[id]) == 0 {
			ids = append(ids, id)
		}
		// Employees' descriptors near each other, like photos of one person.
		descs[id] = append(descs[id], near(desc(uint64(i/perEmployee)), 0.3, uint64(i)))
	}
	return ids, descs
}

func TestIndexMatchesBruteForce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 50, 20000} { // 20000 takes the two-goroutine path
		ids, descs := galleryOf(n, 3)
		ix := NewIndex(ids, descs)
		for q := range 20 {
			var query Descriptor
			if q%2 == 0 && n > 0 {
				query = near(desc(uint64(q*7%max(1, n/3))), 0.25, uint64(q+5000))
			} else {
				query = desc(uint64(900000 + q))
			}
			for _, limit := range []float64{0.68, math.Inf(1)} {
				got := ix.Search(&query, limit)
				want := bruteForce(ids, descs, query, limit)
				if got.Employee != want.Employee || got.Second != want.Second ||
					math.Abs(got.Distance-want.Distance) > 1e-4 && !math.IsInf(want.Distance, 1) ||
					math.Abs(got.SecondDistance-want.SecondDistance) > 1e-4 && !math.IsInf(want.SecondDistance, 1) {
					t.Fatalf("n=%d q=%d limit=%v: got %+v, want %+v", n, q, limit, got, want)
				}
			}
		}
	}
}

// BenchmarkSearch is the 1:N search the issue asks for: 1,000, 10,000 and
// 100,000 descriptors (3 per employee), limit threshold+margin, query a
// descriptor of an enrolled employee. Target: 100k under 10 ms.
func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		ids, descs := galleryOf(n, 3)
		ix := NewIndex(ids, descs)
		q := near(desc(uint64(n/7)), 0.3, 424242)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if h := ix.Search(&q, DefaultThreshold+DefaultMargin); h.Employee == "" {
					b.Fatal("no hit")
				}
			}
		})
		// The worst case: nobody near, no early exit helps the bound.
		stranger := desc(99999999)
		b.Run(fmt.Sprintf("n=%d/stranger", n), func(b *testing.B) {
			for b.Loop() {
				ix.Search(&stranger, DefaultThreshold+DefaultMargin)
			}
		})
	}
}
