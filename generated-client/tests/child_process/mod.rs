//! Child processes started by tests (Prism, oidc-provider) never outlive the test binary: each gets
//! its own process group (so dropping its handle can kill everything it forked) and, on Linux,
//! SIGKILL when the test binary dies without running destructors.

use std::process::Command;

/// Prepares `command` so its process dies with this one (see the module docs).
#[cfg(unix)]
#[allow(unsafe_code)] // `pre_exec` is unsafe by nature; see the SAFETY notes
pub fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // Own process group, so drop can kill anything the child forks along with it.
    command.process_group(0);
    #[cfg(target_os = "linux")]
    {
        // SAFETY: only async-signal-safe calls (prctl, getppid, _exit) between fork and exec.
        let parent = unsafe { libc::getpid() };
        unsafe {
            command.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // The parent died before prctl took effect.
                if libc::getppid() != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
    }
}

#[cfg(not(unix))]
pub fn die_with_parent(_command: &mut Command) {}
