package btopt

/*
#include <stdlib.h>
#include <btopt/btopt.h>
*/
import "C"

import "unsafe"

// PluginInfo is what a strategy plugin says about itself, copied out of the library.
type PluginInfo struct {
	Name, Version, Description string
	Path                       string   // the file it was loaded from
	Metrics                    []string // every metric it reports, in the order results list them
	DefaultMetric              int      // index in Metrics of the default objective
	Params                     []ParamSpec
	Constraints                []string
}

// DescribePlugin reads a plugin (a path, or a name looked up in
// BTOPT_PLUGIN_PATH and btopt's plugin folder) without loading it into this
// process. StatusPlugin when it cannot be found, loaded or checked.
func DescribePlugin(pathOrName string) (*PluginInfo, error) {
	cname, err := cString(pathOrName, "plugin")
	if err != nil {
		return nil, err
	}
	defer free(cname)
	var raw *C.btopt_plugin_info
	if err := call(func() C.btopt_status { return C.btopt_plugin_describe(&raw, cname) }); err != nil {
		return nil, err
	}
	defer C.btopt_plugin_info_destroy(raw)
	info := &PluginInfo{
		Name:          C.GoString(C.btopt_plugin_info_name(raw)),
		Version:       C.GoString(C.btopt_plugin_info_version(raw)),
		Description:   C.GoString(C.btopt_plugin_info_description(raw)),
		Path:          C.GoString(C.btopt_plugin_info_path(raw)),
		DefaultMetric: int(C.btopt_plugin_info_default_metric(raw)),
	}
	for i := 0; i < int(C.btopt_plugin_info_metric_count(raw)); i++ {
		info.Metrics = append(info.Metrics, C.GoString(C.btopt_plugin_info_metric(raw, C.size_t(i))))
	}
	space := C.btopt_plugin_info_space(raw)
	info.Params = readParams(space)
	info.Constraints = readConstraints(space)
	return info, nil
}

// DefaultMetricName is the default objective's name.
func (p *PluginInfo) DefaultMetricName() string {
	if p.DefaultMetric >= 0 && p.DefaultMetric < len(p.Metrics) {
		return p.Metrics[p.DefaultMetric]
	}
	return ""
}

// Space makes the plugin's default space (to narrow and pass back).
func (p *PluginInfo) Space() (*Space, error) {
	items := make([]SpaceItem, 0, len(p.Params)+len(p.Constraints))
	for _, spec := range p.Params {
		items = append(items, spec)
	}
	for _, c := range p.Constraints {
		items = append(items, Constraint(c))
	}
	return NewSpace(items...)
}

// Series is an equity curve and buy-and-hold over the same bars, both starting at 1.
type Series struct {
	Equity     []float64
	BuyAndHold []float64
}

func seriesFrom(raw *C.btopt_series) *Series {
	defer C.btopt_series_destroy(raw)
	n := int(C.btopt_series_length(raw))
	copyOut := func(p *C.double) []float64 {
		if p == nil || n == 0 {
			return nil
		}
		out := make([]float64, n)
		for i, v := range unsafe.Slice((*float64)(unsafe.Pointer(p)), n) {
			out[i] = v
		}
		return out
	}
	return &Series{Equity: copyOut(C.btopt_series_equity(raw)), BuyAndHold: copyOut(C.btopt_series_buy_and_hold(raw))}
}
