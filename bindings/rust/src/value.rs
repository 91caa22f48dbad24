//! Parameter values: the view an objective gets ([`Params`]) and the owned
//! points a result keeps ([`Point`]).
use crate::error::{c_string, check, Error, Result, Status};
use crate::sys;
use std::ffi::CStr;
use std::fmt;
use std::marker::PhantomData;
use std::os::raw::c_char;

/// One parameter's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
    Choice(String),
}

impl Value {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(v) => Some(*v),
            _ => None,
        }
    }

    /// Integers convert to f64, as in the C ABI.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(v) => Some(*v as f64),
            Value::Float(v) => Some(*v),
            Value::Choice(_) => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Choice(s) => Some(s),
            _ => None,
        }
    }
}

/// Integers as integers, floats like Python's `repr`, choices as they are.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Float(v) => f.write_str(&crate::repr_f64(*v)),
            Value::Choice(s) => f.write_str(s),
        }
    }
}

/// An owned point: parameter names and values in declaration order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Point {
    entries: Vec<(String, Value)>,
}

impl Point {
    pub(crate) fn from_entries(entries: Vec<(String, Value)>) -> Point {
        Point { entries }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(Value::as_i64)
    }
    pub fn float(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(Value::as_f64)
    }
    pub fn choice(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }
    /// (name, value) in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v))
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// `fast=25, slow=100`, as the library names points in its messages.
impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, value)) in self.entries.iter().enumerate() {
            write!(f, "{}{name}={value}", if i == 0 { "" } else { ", " })?;
        }
        Ok(())
    }
}

/// The point an objective scores: a read-only view valid during that call
/// only (hence the lifetime, and neither `Send` nor `Sync`).
pub struct Params<'a> {
    raw: *const sys::btopt_params,
    _view: PhantomData<&'a sys::btopt_params>,
}

impl<'a> Params<'a> {
    /// SAFETY: `raw` must be a valid view for 'a.
    pub(crate) unsafe fn from_raw(raw: *const sys::btopt_params) -> Params<'a> {
        Params { raw, _view: PhantomData }
    }

    pub fn len(&self) -> usize {
        // SAFETY: a valid view (from_raw's contract).
        unsafe { sys::btopt_params_count(self.raw) }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The i-th parameter's name, in declaration order.
    pub fn name(&self, i: usize) -> Option<&'a str> {
        // SAFETY: NULL or a string that lives as long as the view.
        let p = unsafe { sys::btopt_params_name(self.raw, i) };
        if p.is_null() {
            None
        } else {
            unsafe { CStr::from_ptr(p) }.to_str().ok()
        }
    }

    /// An integer parameter. NotFound for an unknown name, InvalidArgument for another kind.
    pub fn int(&self, name: &str) -> Result<i64> {
        let name = c_string(name, "parameter name")?;
        let mut out = 0i64;
        // SAFETY: valid view, NUL-terminated name, valid out pointer.
        check(unsafe { sys::btopt_params_get_int(self.raw, name.as_ptr(), &mut out) })?;
        Ok(out)
    }

    /// A float parameter (integers convert).
    pub fn float(&self, name: &str) -> Result<f64> {
        let name = c_string(name, "parameter name")?;
        let mut out = 0f64;
        // SAFETY: as in `int`.
        check(unsafe { sys::btopt_params_get_double(self.raw, name.as_ptr(), &mut out) })?;
        Ok(out)
    }

    /// A choice parameter.
    pub fn choice(&self, name: &str) -> Result<&'a str> {
        let name_c = c_string(name, "parameter name")?;
        let mut out: *const c_char = std::ptr::null();
        // SAFETY: as in `int`; the string lives as long as the view.
        check(unsafe { sys::btopt_params_get_string(self.raw, name_c.as_ptr(), &mut out) })?;
        unsafe { CStr::from_ptr(out) }
            .to_str()
            .map_err(|_| Error::new(Status::InvalidArgument, format!("choice of '{name}' is not UTF-8")))
    }

    /// Any parameter by name.
    pub fn get(&self, name: &str) -> Result<Value> {
        for i in 0..self.len() {
            if self.name(i) == Some(name) {
                // SAFETY: valid view, i in range.
                return unsafe { value_at(self.raw, i) };
            }
        }
        Err(Error::new(Status::NotFound, format!("no parameter '{name}' in this point")))
    }

    /// An owned copy of the whole point.
    pub fn to_point(&self) -> Result<Point> {
        // SAFETY: a valid view.
        unsafe { point_from_raw(self.raw) }
    }
}

impl fmt::Debug for Params<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_point() {
            Ok(p) => write!(f, "Params({p})"),
            Err(e) => write!(f, "Params(<{e}>)"),
        }
    }
}

/// SAFETY: `p` NULL or a NUL-terminated string valid for the call.
pub(crate) unsafe fn string_from(p: *const c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

/// SAFETY: `raw` a valid view and `i < count`.
unsafe fn value_at(raw: *const sys::btopt_params, i: usize) -> Result<Value> {
    let name = sys::btopt_params_name(raw, i);
    match sys::btopt_params_kind(raw, i) {
        sys::BTOPT_PARAM_INT => {
            let mut v = 0i64;
            check(sys::btopt_params_get_int(raw, name, &mut v))?;
            Ok(Value::Int(v))
        }
        sys::BTOPT_PARAM_FLOAT => {
            let mut v = 0f64;
            check(sys::btopt_params_get_double(raw, name, &mut v))?;
            Ok(Value::Float(v))
        }
        sys::BTOPT_PARAM_CHOICE => {
            let mut v: *const c_char = std::ptr::null();
            check(sys::btopt_params_get_string(raw, name, &mut v))?;
            Ok(Value::Choice(string_from(v)))
        }
        kind => Err(Error::new(Status::Internal, format!("parameter {i} has an unknown kind {kind}"))),
    }
}

/// SAFETY: `raw` a valid view.
pub(crate) unsafe fn point_from_raw(raw: *const sys::btopt_params) -> Result<Point> {
    let n = sys::btopt_params_count(raw);
    let mut entries = Vec::with_capacity(n);
    for i in 0..n {
        entries.push((string_from(sys::btopt_params_name(raw, i)), value_at(raw, i)?));
    }
    Ok(Point::from_entries(entries))
}
