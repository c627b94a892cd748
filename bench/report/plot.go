package report

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/concordkv/concord/bench/runner"
)

// colors gives each system the same color in every plot.
var colors = map[string]color.Color{
	"Concord":   color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	"etcd":      color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	"ZooKeeper": color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
}

func colorOf(system string) color.Color {
	if c, ok := colors[system]; ok {
		return c
	}
	return color.Gray{Y: 0x60}
}

// Plots writes throughput.png and cdf-<workload>.png into dir.
func Plots(res *runner.Results, s *Summary, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, w := range res.Workloads {
		if err := cdfPlot(res, s, w, filepath.Join(dir, "cdf-"+w.Name+".png")); err != nil {
			return err
		}
	}
	return throughputPlot(res, s, filepath.Join(dir, "throughput.png"))
}

// cdfPlot draws the latency distribution of each system's median run on a
// logarithmic latency axis.
func cdfPlot(res *runner.Results, s *Summary, w runner.WorkloadInfo, file string) error {
	p := plot.New()
	p.Title.Text = w.Title
	p.X.Label.Text = "latency (ms, log scale)"
	p.Y.Label.Text = "fraction of operations at or below"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = ticks125{}
	p.Y.Min, p.Y.Max = 0, 1
	p.Legend.Top, p.Legend.Left = false, false // bottom right, clear of the curves
	p.Add(plotter.NewGrid())
	drawn := 0
	for _, sys := range res.Systems {
		c := s.Cell(w.Name, sys)
		if c.Status != runner.StatusOK || c.Median == nil || len(c.Median.CDF) == 0 {
			p.Legend.Add(sys + ": " + c.Status)
			continue
		}
		xys := make(plotter.XYs, len(c.Median.CDF))
		for i, pt := range c.Median.CDF {
			xys[i].X = max(float64(pt.Latency)/1e6, 1e-3)
			xys[i].Y = pt.Fraction
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return fmt.Errorf("report: %s: %w", file, err)
		}
		line.Color = colorOf(sys)
		line.Width = vg.Points(1.5)
		p.Add(line)
		p.Legend.Add(sys, line)
		drawn++
	}
	// A log axis needs a positive range of some width.
	if drawn == 0 || !(p.X.Min > 0) || p.X.Max <= p.X.Min*1.5 {
		mid := 1.0
		if drawn > 0 && p.X.Min > 0 {
			mid = p.X.Min
		}
		p.X.Min, p.X.Max = mid/3, mid*3
	}
	if err := p.Save(7*vg.Inch, 4.5*vg.Inch, file); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// throughputPlot draws one small bar chart of ops/s per workload.
func throughputPlot(res *runner.Results, s *Summary, file string) error {
	const cols = 3
	rows := (len(res.Workloads) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
		for c := range grid[r] {
			i := r*cols + c
			if i >= len(res.Workloads) {
				grid[r][c] = plot.New()
				grid[r][c].HideAxes()
				continue
			}
			p, err := bars(res, s, res.Workloads[i])
			if err != nil {
				return err
			}
			grid[r][c] = p
		}
	}
	width, height := vg.Length(cols)*3.6*vg.Inch, vg.Length(rows)*2.6*vg.Inch
	img := vgimg.New(width, height)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3, PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 3}
	canvases := plot.Align(grid, tiles, dc)
	for r := range grid {
		for c := range grid[r] {
			grid[r][c].Draw(canvases[r][c])
		}
	}
	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("report: %s: %w", file, err)
	}
	return f.Close()
}

func bars(res *runner.Results, s *Summary, w runner.WorkloadInfo) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = w.Name
	p.Y.Label.Text = "ops/s"
	p.Y.Min = 0
	var names []string
	for i, sys := range res.Systems {
		c := s.Cell(w.Name, sys)
		v := 0.0
		name := sys
		if c.Status == runner.StatusOK {
			v = c.OpsPerSec
		} else {
			name += "\n" + c.Status
		}
		names = append(names, name)
		bar, err := plotter.NewBarChart(plotter.Values{v}, vg.Points(28))
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		bar.XMin = float64(i)
		bar.Color = colorOf(sys)
		bar.LineStyle.Width = 0
		p.Add(bar)
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(res.Systems))-0.4
	return p, nil
}

// ticks125 labels a logarithmic axis at 1, 2 and 5 times each power of
// ten, with unlabelled minor ticks between.
type ticks125 struct{}

func (ticks125) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi >= lo) || math.IsInf(hi, 0) {
		return nil
	}
	var out []plot.Tick
	for decade := math.Pow(10, math.Floor(math.Log10(lo))); decade <= hi; decade *= 10 {
		for m := 1; m <= 9; m++ {
			v := decade * float64(m)
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			out = append(out, t)
		}
	}
	return out
}
