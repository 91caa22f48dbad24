//! What a strategy plugin says about itself, and equity curves for reports.
use crate::error::{c_string, check, Error, Result, Status};
use crate::space::{read_constraints, read_params, ParamSpec, Space};
use crate::sys;
use crate::value::string_from;

/// A plugin's description, copied out of the library (no handle kept).
#[derive(Debug, Clone, PartialEq)]
pub struct PluginInfo {
    pub name: String,
    pub version: String,
    pub description: String,
    /// The file it was loaded from.
    pub path: String,
    /// Every metric it reports, in the order results list them.
    pub metrics: Vec<String>,
    /// Index in `metrics` of the default objective.
    pub default_metric: usize,
    /// Its parameters with their default ranges.
    pub params: Vec<ParamSpec>,
    pub constraints: Vec<String>,
}

impl PluginInfo {
    /// Describes a plugin (a path, or a name on the plugin search path)
    /// without loading it into this process. Plugin when it cannot be found,
    /// loaded or checked.
    pub fn describe(path_or_name: &str) -> Result<PluginInfo> {
        let name = c_string(path_or_name, "plugin")?;
        let mut raw = std::ptr::null_mut();
        // SAFETY: valid out pointer and string.
        check(unsafe { sys::btopt_plugin_describe(&mut raw, name.as_ptr()) })?;
        if raw.is_null() {
            return Err(Error::new(Status::Internal, "btopt_plugin_describe gave NULL"));
        }
        // SAFETY: a valid info we own; everything is copied before it is destroyed.
        unsafe {
            let space = sys::btopt_plugin_info_space(raw);
            let info = PluginInfo {
                name: string_from(sys::btopt_plugin_info_name(raw)),
                version: string_from(sys::btopt_plugin_info_version(raw)),
                description: string_from(sys::btopt_plugin_info_description(raw)),
                path: string_from(sys::btopt_plugin_info_path(raw)),
                metrics: (0..sys::btopt_plugin_info_metric_count(raw))
                    .map(|i| string_from(sys::btopt_plugin_info_metric(raw, i)))
                    .collect(),
                default_metric: sys::btopt_plugin_info_default_metric(raw),
                params: if space.is_null() { Vec::new() } else { read_params(space) },
                constraints: if space.is_null() { Vec::new() } else { read_constraints(space) },
            };
            sys::btopt_plugin_info_destroy(raw);
            Ok(info)
        }
    }

    /// The default objective's name.
    pub fn default_metric_name(&self) -> Option<&str> {
        self.metrics.get(self.default_metric).map(String::as_str)
    }

    /// The plugin's default space as a [`Space`] (to narrow and pass back).
    pub fn space(&self) -> Result<Space> {
        Space::from_specs(&self.params, &self.constraints)
    }
}

/// An equity curve and buy-and-hold over the same bars, both starting at 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub equity: Vec<f64>,
    pub buy_and_hold: Vec<f64>,
}

impl Series {
    /// Copies and destroys `raw`.
    /// SAFETY: `raw` a valid series nobody else owns.
    pub(crate) unsafe fn from_raw(raw: *mut sys::btopt_series) -> Result<Series> {
        if raw.is_null() {
            return Err(Error::new(Status::Internal, "btopt_optimizer_equity_curve gave NULL"));
        }
        let n = sys::btopt_series_length(raw);
        let copy =
            |p: *const f64| if p.is_null() || n == 0 { Vec::new() } else { std::slice::from_raw_parts(p, n).to_vec() };
        let series = Series {
            equity: copy(sys::btopt_series_equity(raw)),
            buy_and_hold: copy(sys::btopt_series_buy_and_hold(raw)),
        };
        sys::btopt_series_destroy(raw);
        Ok(series)
    }
}
