package dl

// WelcomeHelpers makes Fit prefetch batches whatever the load of the machine, until the
// returned function restores the load check.
func WelcomeHelpers() (restore func()) {
	old := helperWelcome
	helperWelcome = func() bool { return true }
	return func() { helperWelcome = old }
}
