//! Reading studies back (SQLite files a run with [`Optimizer::study`](crate::Optimizer::study)
//! writes; docs/STUDIES.md): also while a run writes them, and on another
//! machine after the file was copied.

use std::ffi::CString;
use std::path::Path;

use crate::error::{c_string, check, Result};
use crate::result::OptimizationResult;
use crate::sys;

fn path_string(path: &Path, what: &str) -> Result<CString> {
    c_string(&path.to_string_lossy(), what)
}

/// A stored run of a study (`run` 0: the last one) with every trial it
/// recorded. [`Status::NotFound`](crate::Status::NotFound) for a missing file
/// or run, [`Status::Io`](crate::Status::Io) for a file that is not a study.
pub fn open_study(path: impl AsRef<Path>, run: i64) -> Result<OptimizationResult> {
    let path = path_string(path.as_ref(), "study path")?;
    let mut raw = std::ptr::null_mut();
    // SAFETY: valid C string and out pointer.
    check(unsafe { sys::btopt_study_open(&mut raw, path.as_ptr(), run) })?;
    // SAFETY: a fresh result nobody else owns.
    unsafe { OptimizationResult::from_raw(raw) }
}

/// The ids of a study's runs, oldest first.
pub fn study_runs(path: impl AsRef<Path>) -> Result<Vec<i64>> {
    let path = path_string(path.as_ref(), "study path")?;
    loop {
        let mut count = 0usize;
        // SAFETY: valid C string; capacity 0 with a null array asks for the count.
        check(unsafe { sys::btopt_study_runs(path.as_ptr(), std::ptr::null_mut(), 0, &mut count) })?;
        let mut ids = vec![0i64; count];
        let capacity = count;
        // SAFETY: `ids` holds `capacity` slots.
        check(unsafe { sys::btopt_study_runs(path.as_ptr(), ids.as_mut_ptr(), capacity, &mut count) })?;
        if count <= capacity {
            // A run may have begun between the two calls: then ask again.
            ids.truncate(count);
            return Ok(ids);
        }
    }
}

/// Writes a stored run (0: the last) as `write_json` and `write_csv` do,
/// streaming its trials from the study so memory stays flat. Either path may
/// be `None` (not both).
pub fn export_study(path: impl AsRef<Path>, run: i64, json_path: Option<&Path>, csv_path: Option<&Path>) -> Result<()> {
    let path = path_string(path.as_ref(), "study path")?;
    let json = json_path.map(|p| path_string(p, "JSON path")).transpose()?;
    let csv = csv_path.map(|p| path_string(p, "CSV path")).transpose()?;
    let ptr = |s: &Option<CString>| s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
    // SAFETY: valid C strings or null where the C ABI allows it.
    check(unsafe { sys::btopt_study_export(path.as_ptr(), run, ptr(&json), ptr(&csv)) })
}
