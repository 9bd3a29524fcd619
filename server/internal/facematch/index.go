package facematch

import (
	"math"
	"sync"
)

// Index is an immutable flat index of descriptors for brute-force 1:N
// search. Descriptors live in one contiguous []float32 so the scan walks
// memory linearly; a 100,000-descriptor gallery is 51 MB.
type Index struct {
	vecs   []float32 // len = n*DescriptorLen
	owners []int32   // owners[i] indexes ids
	ids    []string  // employee ids
}

// NewIndex builds an index from per-employee descriptors. Employees are
// added in the order of ids so that ties resolve deterministically.
func NewIndex(ids []string, descs map[string][]Descriptor) *Index {
	n := 0
	for _, id := range ids {
		n += len(descs[id])
	}
	ix := &Index{vecs: make([]float32, 0, n*DescriptorLen), owners: make([]int32, 0, n), ids: ids}
	for o, id := range ids {
		for _, d := range descs[id] {
			ix.vecs = append(ix.vecs, d[:]...)
			ix.owners = append(ix.owners, int32(o))
		}
	}
	return ix
}

// Len is the number of descriptors.
func (ix *Index) Len() int { return len(ix.owners) }

// Employees is the number of employees.
func (ix *Index) Employees() int { return len(ix.ids) }

// Hit is the result of a search: the nearest employee and the nearest other
// employee, with Euclidean distances. An absent candidate has an empty
// Employee and an infinite distance.
type Hit struct {
	Employee       string
	Distance       float64
	Second         string
	SecondDistance float64
}

type top2 struct {
	o1, o2 int32
	d1, d2 float32
}

func newTop2(limit float32) top2 { return top2{o1: -1, o2: -1, d1: limit, d2: limit} }

// add keeps the best distance per owner for the two nearest distinct owners.
func (t *top2) add(o int32, d float32) {
	switch {
	case o == t.o1:
		if d < t.d1 {
			t.d1 = d
		}
	case d < t.d1:
		t.o2, t.d2 = t.o1, t.d1
		t.o1, t.d1 = o, d
	case o == t.o2:
		if d < t.d2 {
			t.d2 = d
		}
	case d < t.d2:
		t.o2, t.d2 = o, d
	}
}

func (t *top2) merge(u top2) {
	if u.o1 >= 0 {
		t.add(u.o1, u.d1)
	}
	if u.o2 >= 0 {
		t.add(u.o2, u.d2)
	}
}

// parallelMin is the gallery size from which Search splits the scan over
// two goroutines; below it the goroutine start costs more than it saves.
const parallelMin = 8192

// Search returns the nearest employee and the nearest different employee to
// q among descriptors closer than limit (Euclidean). Distances beyond limit
// are not computed exactly: the scan abandons a descriptor as soon as its
// partial squared sum passes the current second-best bound, which is what
// makes a 100k scan fit in a few milliseconds. Pass the largest distance
// that can still change a verdict (threshold plus margin).
func (ix *Index) Search(q *Descriptor, limit float64) Hit {
	lim := float32(limit * limit)
	if math.IsInf(limit, 1) || limit > 1e18 {
		lim = math.MaxFloat32
	}
	n := ix.Len()
	var t top2
	if n < parallelMin {
		t = ix.scan(q, 0, n, lim)
	} else {
		// Two halves for the two cores of a kiosk-class server; each half
		// keeps its own top two, then they merge.
		var wg sync.WaitGroup
		var a top2
		wg.Add(1)
		go func() {
			defer wg.Done()
			a = ix.scan(q, 0, n/2, lim)
		}()
		t = ix.scan(q, n/2, n, lim)
		wg.Wait()
		t.merge(a)
	}
	h := Hit{Distance: math.Inf(1), SecondDistance: math.Inf(1)}
	if t.o1 >= 0 {
		h.Employee, h.Distance = ix.ids[t.o1], math.Sqrt(float64(t.d1))
	}
	if t.o2 >= 0 {
		h.Second, h.SecondDistance = ix.ids[t.o2], math.Sqrt(float64(t.d2))
	}
	return h
}

func (ix *Index) scan(q *Descriptor, from, to int, lim float32) top2 {
	t := newTop2(lim)
	vecs := ix.vecs
	for i := from; i < to; i++ {
		v := vecs[i*DescriptorLen : (i+1)*DescriptorLen : (i+1)*DescriptorLen]
		o := ix.owners[i]
		// A descriptor matters if it beats the second bound, or the first
		// bound for the first owner; d1 <= d2, so d2 bounds both.
		bound := t.d2
		var s float32
		abandoned := false
		// Blocks of 16 with four accumulators: fewer dependencies per
		// cycle, and a bound check every 16 dimensions is cheap enough.
		for k := 0; k < DescriptorLen; k += 16 {
			w := v[k : k+16 : k+16]
			x := q[k : k+16 : k+16]
			d0, d1, d2, d3 := w[0]-x[0], w[1]-x[1], w[2]-x[2], w[3]-x[3]
			d4, d5, d6, d7 := w[4]-x[4], w[5]-x[5], w[6]-x[6], w[7]-x[7]
			d8, d9, d10, d11 := w[8]-x[8], w[9]-x[9], w[10]-x[10], w[11]-x[11]
			d12, d13, d14, d15 := w[12]-x[12], w[13]-x[13], w[14]-x[14], w[15]-x[15]
			s += (d0*d0 + d4*d4 + d8*d8 + d12*d12) + (d1*d1 + d5*d5 + d9*d9 + d13*d13) +
				(d2*d2 + d6*d6 + d10*d10 + d14*d14) + (d3*d3 + d7*d7 + d11*d11 + d15*d15)
			if s >= bound {
				abandoned = true
				break
			}
		}
		if !abandoned {
			t.add(o, s)
		}
	}
	return t
}
