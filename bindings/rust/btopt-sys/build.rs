// Finds libbtopt.so, in this order: $BTOPT_LIB_DIR (the folder holding it);
// an installed btopt that pkg-config knows (`pkg-config --variable=libdir
// btopt`, so PKG_CONFIG_PATH works as for C); else the CMake build folder of
// this repository (../../build/src). Links it by name and records an rpath so
// this crate's tests, examples and binaries run without LD_LIBRARY_PATH.
// pkg-config is run as a command rather than through the pkg-config crate so
// the crate keeps building offline with no dependencies.
use std::env;
use std::path::PathBuf;
use std::process::Command;

fn from_pkg_config() -> Option<PathBuf> {
    let out = Command::new(env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into()))
        .args(["--variable=libdir", "btopt"])
        .output()
        .ok()?;
    let dir = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !dir.is_empty()).then(|| PathBuf::from(dir))
}

fn main() {
    println!("cargo:rerun-if-env-changed=BTOPT_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-changed=build.rs");

    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let dir = match env::var_os("BTOPT_LIB_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => from_pkg_config().unwrap_or_else(|| manifest.join("../../build/src")),
    };
    let dir = dir.canonicalize().unwrap_or(dir);
    if !dir.join("libbtopt.so").exists() {
        println!(
            "cargo:warning=no libbtopt.so in {}: install btopt (pkg-config btopt), build it here \
             (cmake --build build --target btopt btopt-worker) or set BTOPT_LIB_DIR to the folder that holds it",
            dir.display()
        );
    }
    let dir = dir.display();
    println!("cargo:rustc-link-search=native={dir}");
    println!("cargo:rustc-link-lib=dylib=btopt");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    // For this crate's tests (the test plugins lie next to the library's build).
    println!("cargo:rustc-env=BTOPT_LIB_DIR_AT_BUILD={dir}");
    // DEP_BTOPT_LIB_DIR for dependents' build scripts.
    println!("cargo:lib_dir={dir}");
}
