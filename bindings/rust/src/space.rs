//! Parameter spaces: a builder, an owned handle and a plain description.
use crate::error::{c_string, check, Error, Result, Status};
use crate::sys;
use crate::value::string_from;
use std::ptr::NonNull;

/// One parameter of a space, as declared.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamSpec {
    /// lo, lo+step, ... up to the last value not above hi.
    Int {
        name: String,
        lo: i64,
        hi: i64,
        step: i64,
    },
    /// A step of 0 is continuous (random and genetic search only).
    Float {
        name: String,
        lo: f64,
        hi: f64,
        step: f64,
    },
    Choice {
        name: String,
        choices: Vec<String>,
    },
}

impl ParamSpec {
    pub fn name(&self) -> &str {
        match self {
            ParamSpec::Int { name, .. } | ParamSpec::Float { name, .. } | ParamSpec::Choice { name, .. } => name,
        }
    }
}

/// A parameter space (`btopt_space`). Parameters keep their declaration
/// order, which is the grid's order (the last varies fastest).
///
/// An optimizer copies the space when it is created, so a space may be
/// dropped or changed afterwards.
pub struct Space {
    raw: NonNull<sys::btopt_space>,
}

// SAFETY: a space has no thread affinity and no interior mutability; it is
// changed only through `&mut self`, and the const readers are plain reads.
unsafe impl Send for Space {}
unsafe impl Sync for Space {}

impl Drop for Space {
    fn drop(&mut self) {
        // SAFETY: we own the handle; destroyed exactly once.
        unsafe { sys::btopt_space_destroy(self.raw.as_ptr()) }
    }
}

impl Space {
    /// An empty space.
    pub fn new() -> Result<Space> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: valid out pointer.
        check(unsafe { sys::btopt_space_create(&mut raw) })?;
        let raw = NonNull::new(raw).ok_or_else(|| Error::new(Status::Internal, "btopt_space_create gave NULL"))?;
        Ok(Space { raw })
    }

    /// A builder that reports the first error at `build()`.
    pub fn builder() -> SpaceBuilder {
        SpaceBuilder::default()
    }

    pub(crate) fn as_ptr(&self) -> *const sys::btopt_space {
        self.raw.as_ptr()
    }

    /// `add_int("fast", 10, 50, 5)` is 10, 15, ..., 50. InvalidArgument for an
    /// empty or duplicate name, lo > hi or step <= 0.
    pub fn add_int(&mut self, name: &str, lo: i64, hi: i64, step: i64) -> Result<&mut Self> {
        let name = c_string(name, "parameter name")?;
        // SAFETY: owned handle, NUL-terminated name (copied by the library).
        check(unsafe { sys::btopt_space_add_int(self.raw.as_ptr(), name.as_ptr(), lo, hi, step) })?;
        Ok(self)
    }

    /// step 0: continuous. InvalidArgument for non-finite bounds, lo > hi or step < 0.
    pub fn add_float(&mut self, name: &str, lo: f64, hi: f64, step: f64) -> Result<&mut Self> {
        let name = c_string(name, "parameter name")?;
        // SAFETY: as in add_int.
        check(unsafe { sys::btopt_space_add_float(self.raw.as_ptr(), name.as_ptr(), lo, hi, step) })?;
        Ok(self)
    }

    /// InvalidArgument for no choices or a duplicate one.
    pub fn add_choice<S: AsRef<str>>(&mut self, name: &str, choices: &[S]) -> Result<&mut Self> {
        let name = c_string(name, "parameter name")?;
        let owned = choices.iter().map(|c| c_string(c.as_ref(), "choice")).collect::<Result<Vec<_>>>()?;
        let pointers: Vec<_> = owned.iter().map(|c| c.as_ptr()).collect();
        // SAFETY: `pointers` holds `len` valid strings that outlive the call (copied by the library).
        check(unsafe {
            sys::btopt_space_add_choice(self.raw.as_ptr(), name.as_ptr(), pointers.as_ptr(), pointers.len())
        })?;
        Ok(self)
    }

    /// A condition over the numeric parameters declared so far, e.g.
    /// `"fast * 2 <= slow && threshold_x100 > 1"`. InvalidArgument, with the
    /// position, when it does not parse or names an unknown parameter.
    pub fn add_constraint(&mut self, expression: &str) -> Result<&mut Self> {
        let expression = c_string(expression, "constraint")?;
        // SAFETY: as in add_int.
        check(unsafe { sys::btopt_space_add_constraint(self.raw.as_ptr(), expression.as_ptr()) })?;
        Ok(self)
    }

    /// Size of the product space before constraints; `u64::MAX` when
    /// infinite (a continuous float) or too large to count.
    pub fn cardinality(&self) -> Result<u64> {
        let mut n = 0u64;
        // SAFETY: valid handle and out pointer.
        check(unsafe { sys::btopt_space_cardinality(self.raw.as_ptr(), &mut n) })?;
        Ok(n)
    }

    pub fn len(&self) -> usize {
        // SAFETY: valid handle.
        unsafe { sys::btopt_space_param_count(self.raw.as_ptr()) }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The parameters, read back from the library.
    pub fn params(&self) -> Vec<ParamSpec> {
        // SAFETY: valid handle.
        unsafe { read_params(self.raw.as_ptr()) }
    }

    pub fn constraints(&self) -> Vec<String> {
        // SAFETY: valid handle.
        unsafe { read_constraints(self.raw.as_ptr()) }
    }

    /// A space from a description (e.g. a plugin's parameters, narrowed).
    pub fn from_specs(params: &[ParamSpec], constraints: &[String]) -> Result<Space> {
        let mut space = Space::new()?;
        for p in params {
            match p {
                ParamSpec::Int { name, lo, hi, step } => space.add_int(name, *lo, *hi, *step)?,
                ParamSpec::Float { name, lo, hi, step } => space.add_float(name, *lo, *hi, *step)?,
                ParamSpec::Choice { name, choices } => space.add_choice(name, choices)?,
            };
        }
        for c in constraints {
            space.add_constraint(c)?;
        }
        Ok(space)
    }
}

impl std::fmt::Debug for Space {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Space").field("params", &self.params()).field("constraints", &self.constraints()).finish()
    }
}

/// Collects parameters and constraints; `build()` makes the space and
/// reports the first error.
///
/// ```no_run
/// let space = btopt::Space::builder()
///     .int("fast", 10, 50, 5)
///     .int("slow", 50, 200, 25)
///     .constraint("fast < slow")
///     .build()?;
/// # Ok::<(), btopt::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct SpaceBuilder {
    params: Vec<ParamSpec>,
    constraints: Vec<String>,
}

impl SpaceBuilder {
    pub fn int(mut self, name: &str, lo: i64, hi: i64, step: i64) -> Self {
        self.params.push(ParamSpec::Int { name: name.into(), lo, hi, step });
        self
    }
    pub fn float(mut self, name: &str, lo: f64, hi: f64, step: f64) -> Self {
        self.params.push(ParamSpec::Float { name: name.into(), lo, hi, step });
        self
    }
    pub fn choice<S: AsRef<str>>(mut self, name: &str, choices: &[S]) -> Self {
        let choices = choices.iter().map(|c| c.as_ref().to_owned()).collect();
        self.params.push(ParamSpec::Choice { name: name.into(), choices });
        self
    }
    pub fn param(mut self, spec: ParamSpec) -> Self {
        self.params.push(spec);
        self
    }
    pub fn constraint(mut self, expression: &str) -> Self {
        self.constraints.push(expression.into());
        self
    }
    pub fn build(&self) -> Result<Space> {
        Space::from_specs(&self.params, &self.constraints)
    }
}

/// SAFETY: `raw` a valid space.
pub(crate) unsafe fn read_params(raw: *const sys::btopt_space) -> Vec<ParamSpec> {
    let n = sys::btopt_space_param_count(raw);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let name = string_from(sys::btopt_space_param_name(raw, i));
        let spec = match sys::btopt_space_param_kind(raw, i) {
            sys::BTOPT_PARAM_INT => {
                let (mut lo, mut hi, mut step) = (0i64, 0i64, 0i64);
                sys::btopt_space_param_int_range(raw, i, &mut lo, &mut hi, &mut step);
                ParamSpec::Int { name, lo, hi, step }
            }
            sys::BTOPT_PARAM_FLOAT => {
                let (mut lo, mut hi, mut step) = (0f64, 0f64, 0f64);
                sys::btopt_space_param_float_range(raw, i, &mut lo, &mut hi, &mut step);
                ParamSpec::Float { name, lo, hi, step }
            }
            _ => {
                let choices = (0..sys::btopt_space_param_choice_count(raw, i))
                    .map(|j| string_from(sys::btopt_space_param_choice(raw, i, j)))
                    .collect();
                ParamSpec::Choice { name, choices }
            }
        };
        out.push(spec);
    }
    out
}

/// SAFETY: `raw` a valid space.
pub(crate) unsafe fn read_constraints(raw: *const sys::btopt_space) -> Vec<String> {
    (0..sys::btopt_space_constraint_count(raw)).map(|i| string_from(sys::btopt_space_constraint(raw, i))).collect()
}
