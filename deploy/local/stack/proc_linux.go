package stack

import "syscall"

// childAttr puts a service in its own process group, so a terminal's Ctrl-C
// goes to the runner alone, and sends it SIGTERM if the runner dies.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
