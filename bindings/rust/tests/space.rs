// Spaces: building, reading back, and errors with their status and message.
mod common;

use btopt::{ParamSpec, Space, Status};

#[test]
fn builder_reads_back_what_was_declared() {
    let space = common::mixed_space();
    assert_eq!(space.len(), 4);
    assert_eq!(space.cardinality().unwrap(), 10 * 10 * 5 * 2);
    assert_eq!(
        space.params(),
        vec![
            ParamSpec::Int { name: "a".into(), lo: 0, hi: 9, step: 1 },
            ParamSpec::Int { name: "b".into(), lo: 0, hi: 9, step: 1 },
            ParamSpec::Float { name: "x".into(), lo: 0.0, hi: 1.0, step: 0.25 },
            ParamSpec::Choice { name: "mode".into(), choices: vec!["lin".into(), "sq".into()] },
        ]
    );
    assert_eq!(space.constraints(), vec!["a + b <= 15".to_string()]);
}

#[test]
fn continuous_float_is_infinite() {
    let space = Space::builder().float("x", 0.0, 1.0, 0.0).build().unwrap();
    assert_eq!(space.cardinality().unwrap(), u64::MAX);
}

#[test]
fn add_methods_chain_on_a_space() {
    let mut space = Space::new().unwrap();
    space.add_int("fast", 10, 50, 5).unwrap().add_int("slow", 50, 200, 25).unwrap();
    space.add_constraint("fast < slow").unwrap();
    assert_eq!(space.cardinality().unwrap(), 9 * 7);
}

#[test]
fn errors_carry_status_and_message() {
    let e = Space::builder().int("a", 0, 9, 1).int("a", 0, 3, 1).build().unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    assert!(e.message().contains('a'), "message names the parameter: {e}");

    let e = Space::builder().int("a", 5, 1, 1).build().unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    assert!(!e.message().is_empty());

    let e = Space::builder().int("a", 0, 9, 1).constraint("a < nope").build().unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    assert!(e.message().contains("nope"), "message names the unknown parameter: {e}");

    let e = Space::builder().choice::<&str>("c", &[]).build().unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);

    let e = Space::builder().int("bad\0name", 0, 1, 1).build().unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    assert!(e.message().contains("NUL"));
    assert!(e.to_string().starts_with("BTOPT_ERR_INVALID_ARGUMENT: "), "{e}");
}

#[test]
fn version_matches_header() {
    assert_eq!(btopt::abi_version(), btopt::sys::BTOPT_ABI_VERSION);
    assert!(!btopt::version().is_empty());
    assert_eq!(Status::NotFound.name(), "BTOPT_ERR_NOT_FOUND");
    assert_eq!(Status::from_code(42), Status::Unknown(42));
    assert_eq!(btopt::TrialStatus::Crashed.name(), "crashed");
}
