package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/concordkv/concord/bench/runner"
)

// Files names what Write produced.
type Files struct {
	Markdown, JSON, PlotDir string
}

// Write writes dir/RESULTS.md, dir/results.json and dir/plots/*.png.
func Write(res *runner.Results, dir string) (Files, error) {
	f := Files{
		Markdown: filepath.Join(dir, "RESULTS.md"),
		JSON:     filepath.Join(dir, "results.json"),
		PlotDir:  filepath.Join(dir, "plots"),
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return f, fmt.Errorf("report: %w", err)
	}
	s := Summarize(res)
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return f, fmt.Errorf("report: %w", err)
	}
	if err := os.WriteFile(f.JSON, append(b, '\n'), 0o644); err != nil {
		return f, fmt.Errorf("report: %w", err)
	}
	if err := Plots(res, s, f.PlotDir); err != nil {
		return f, err
	}
	md := Markdown(res, s, "plots")
	if err := os.WriteFile(f.Markdown, []byte(md), 0o644); err != nil {
		return f, fmt.Errorf("report: %w", err)
	}
	return f, nil
}

// Record writes the Markdown document to file as well, with plot links
// relative to file's directory (for bench/RESULTS.md).
func Record(res *runner.Results, files Files, file string) error {
	rel, err := filepath.Rel(filepath.Dir(file), files.PlotDir)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	md := Markdown(res, Summarize(res), filepath.ToSlash(rel))
	if err := os.WriteFile(file, []byte(md), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
