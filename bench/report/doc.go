// Package report turns a comparison's results into its outputs: the
// Markdown table with ratio columns, the JSON file with every raw figure,
// and PNG plots (a latency CDF per workload, throughput bars).
package report
