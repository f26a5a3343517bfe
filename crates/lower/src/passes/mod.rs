//! The MIR → MIR passes, run in order from one list ([`PASSES`]) after lowering.
//!
//! Each pass takes a whole program that the verifier accepts and must give one it
//! accepts: [`run`] verifies the lowered program and the result of every pass when
//! verification is on (debug builds, so the test suite and CI; `CLEF_VERIFY_MIR=1`
//! in a release build), and names the pass that broke an invariant. A new pass is a
//! module here and one line in [`PASSES`].

mod asyncs;
mod unreachable;

use crate::mir::Program;

/// One MIR → MIR transformation.
pub struct Pass {
    /// The name in verifier messages and `docs/architecture.md`.
    pub name: &'static str,
    pub run: fn(&mut Program),
}

/// The passes, in the order they run.
pub const PASSES: &[Pass] = &[
    Pass {
        name: "async-state-machines",
        run: asyncs::run,
    },
    Pass {
        name: "remove-unreachable-blocks",
        run: unreachable::run,
    },
];

/// Runs [`PASSES`] on `program`; with `verify`, checks the program before the first
/// pass and after each one. An error names the stage that broke the invariant.
pub fn run(program: &mut Program, verify: bool) -> Result<(), String> {
    if verify {
        crate::verify::verify(program).map_err(|e| format!("after lowering: {e}"))?;
    }
    for pass in PASSES {
        (pass.run)(program);
        if verify {
            crate::verify::verify(program).map_err(|e| format!("after {}: {e}", pass.name))?;
        }
    }
    Ok(())
}
