//! Status codes as `Result<T, Error>`.
use crate::result::OptimizationResult;
use crate::sys;
use std::ffi::{CStr, CString};
use std::fmt;

/// Why a call failed: a `btopt_status` other than `BTOPT_OK`.
///
/// The library may add codes; one this crate does not know becomes
/// `Unknown(code)`, and must be treated as a failure like any other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// A bad handle, name, range or option value.
    InvalidArgument,
    /// A valid request this build or combination cannot do.
    Unsupported,
    /// No such parameter, option, objective or trial.
    NotFound,
    /// A strategy plugin could not be found, loaded or initialised.
    Plugin,
    /// An evaluation failed and `ignore_errors` is off (the error holds the partial result).
    Objective,
    /// The run was cancelled (the error holds the partial result).
    Cancelled,
    /// A file could not be written or read.
    Io,
    /// A bug in btopt.
    Internal,
    /// A code this crate does not know yet.
    Unknown(i32),
}

impl Status {
    /// The status of a non-zero code.
    pub fn from_code(code: i32) -> Status {
        match code {
            sys::BTOPT_ERR_INVALID_ARGUMENT => Status::InvalidArgument,
            sys::BTOPT_ERR_UNSUPPORTED => Status::Unsupported,
            sys::BTOPT_ERR_NOT_FOUND => Status::NotFound,
            sys::BTOPT_ERR_PLUGIN => Status::Plugin,
            sys::BTOPT_ERR_OBJECTIVE => Status::Objective,
            sys::BTOPT_ERR_CANCELLED => Status::Cancelled,
            sys::BTOPT_ERR_IO => Status::Io,
            sys::BTOPT_ERR_INTERNAL => Status::Internal,
            other => Status::Unknown(other),
        }
    }

    /// The C code (`BTOPT_ERR_*`).
    pub fn code(self) -> i32 {
        match self {
            Status::InvalidArgument => sys::BTOPT_ERR_INVALID_ARGUMENT,
            Status::Unsupported => sys::BTOPT_ERR_UNSUPPORTED,
            Status::NotFound => sys::BTOPT_ERR_NOT_FOUND,
            Status::Plugin => sys::BTOPT_ERR_PLUGIN,
            Status::Objective => sys::BTOPT_ERR_OBJECTIVE,
            Status::Cancelled => sys::BTOPT_ERR_CANCELLED,
            Status::Io => sys::BTOPT_ERR_IO,
            Status::Internal => sys::BTOPT_ERR_INTERNAL,
            Status::Unknown(code) => code,
        }
    }

    /// The library's name for it ("BTOPT_ERR_NOT_FOUND").
    pub fn name(self) -> &'static str {
        // SAFETY: btopt_status_name returns static storage for every input.
        unsafe { CStr::from_ptr(sys::btopt_status_name(self.code())) }.to_str().unwrap_or("unknown status")
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A failed call: its status and the library's message (`btopt_last_error()`
/// read right after the call, on the same thread). When a run stopped on a
/// failed trial ([`Status::Objective`]) or a cancellation
/// ([`Status::Cancelled`]), [`Error::partial`] holds every trial started.
pub struct Error {
    status: Status,
    message: String,
    partial: Option<Box<OptimizationResult>>,
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error made on the Rust side (a name with a NUL byte, ...).
    pub fn new(status: Status, message: impl Into<String>) -> Error {
        Error { status, message: message.into(), partial: None }
    }

    pub(crate) fn with_partial(status: Status, message: String, partial: Option<OptimizationResult>) -> Error {
        Error { status, message, partial: partial.map(Box::new) }
    }

    pub fn status(&self) -> Status {
        self.status
    }

    /// The library's words; do not parse them (they may improve between versions).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What a run found before it stopped (Objective and Cancelled errors of a run).
    pub fn partial(&self) -> Option<&OptimizationResult> {
        self.partial.as_deref()
    }

    pub fn into_partial(self) -> Option<OptimizationResult> {
        self.partial.map(|b| *b)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status.name(), self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("status", &self.status)
            .field("message", &self.message)
            .field("partial_trials", &self.partial.as_ref().map(|p| p.trials().len()))
            .finish()
    }
}

impl std::error::Error for Error {}

/// This thread's last error text.
pub(crate) fn last_error() -> String {
    // SAFETY: never NULL; valid until the next failing call on this thread,
    // and we copy it at once.
    unsafe { CStr::from_ptr(sys::btopt_last_error()) }.to_string_lossy().into_owned()
}

/// `Ok(())` for BTOPT_OK, else the status with this thread's last error.
/// Call it right after the C call, before any other btopt call.
pub(crate) fn check(status: sys::btopt_status) -> Result<()> {
    if status == sys::BTOPT_OK {
        Ok(())
    } else {
        Err(Error::new(Status::from_code(status), last_error()))
    }
}

/// A C string for `what`, or INVALID_ARGUMENT when it holds a NUL byte.
pub(crate) fn c_string(value: &str, what: &str) -> Result<CString> {
    CString::new(value).map_err(|_| {
        Error::new(Status::InvalidArgument, format!("{what} '{}' contains a NUL byte", value.escape_debug()))
    })
}
