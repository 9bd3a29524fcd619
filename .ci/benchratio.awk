# Reads `go test -bench` output of BenchmarkIngest/<db>/batch=<n>/{ingest,baseline}
# and prints the median punches/s of each and the ratio ingest/baseline.
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 2; i < NF; i++) if ($(i+1) == "punches/s") v = $i
	n = split(name, part, "/")
	key = part[2] " " part[3]; kind = part[4]
	vals[key, kind] = vals[key, kind] " " v
	keys[key] = 1
}
function median(s,    a, n, i, j, t) {
	n = split(s, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
END {
	printf "%-22s %14s %14s %8s\n", "database batch", "ingest/s", "baseline/s", "ratio"
	for (k in keys) {
		i = median(vals[k, "ingest"]); b = median(vals[k, "baseline"])
		printf "%-22s %14.0f %14.0f %7.0f%%\n", k, i, b, (b > 0 ? 100 * i / b : 0) | "sort"
	}
}
