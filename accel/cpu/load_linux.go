package cpu

import (
	"sync"
	"syscall"
)

// procStat reads the machine's busy and total CPU time from /proc/stat, in clock ticks,
// and this process's CPU time from getrusage. It keeps /proc/stat open and rereads it
// from offset 0, so a sample allocates nothing. ok is false when /proc/stat is missing.
type procStat struct {
	once sync.Once
	fd   int
	buf  [512]byte
}

// clockTicks is the unit of /proc/stat (USER_HZ), 100 on every Linux architecture Go
// supports.
const clockTicks = 100

var stat procStat

// machineCPU returns the seconds of CPU time all processes have used (busy) and could
// have used (total, busy plus idle) since boot, and the seconds this process has used.
// Time of niced processes counts a quarter in busy unless this process is niced too: the
// scheduler gives a process of nice 10 a tenth of a core shared with one of nice 0, so
// a worker of this one that spins takes its core from them, not from the caller.
func machineCPU() (busy, total, self float64, ok bool) {
	s := &stat
	s.once.Do(func() {
		fd, err := syscall.Open("/proc/stat", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			fd = -1
		}
		s.fd = fd
	})
	if s.fd < 0 {
		return 0, 0, 0, false
	}
	n, err := syscall.Pread(s.fd, s.buf[:], 0)
	if err != nil || n < 5 || string(s.buf[:4]) != "cpu " {
		return 0, 0, 0, false
	}
	// cpu  user nice system idle iowait irq softirq steal guest guest_nice
	var f [8]uint64
	i, field := 4, 0
	for field < len(f) && i < n && s.buf[i] != '\n' {
		if c := s.buf[i]; c >= '0' && c <= '9' {
			f[field] = f[field]*10 + uint64(c-'0')
			if i+1 < n && (s.buf[i+1] < '0' || s.buf[i+1] > '9') {
				field++
			}
		}
		i++
	}
	if field < 5 {
		return 0, 0, 0, false
	}
	b := float64(f[0]+f[2]+f[5]+f[6]+f[7]) + float64(f[1])*nicedWeight() // steal: time the hypervisor gave away
	t := f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7]
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0, 0, false
	}
	self = float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
	return b / clockTicks, float64(t) / clockTicks, self, true
}

// nicedWeight is the share of niced processes' CPU time that counts as busy: 1/4 while
// this process runs at nice 0 or below (niced processes are most often at nice 10 or
// 19, which the scheduler weighs 1/10 and 1/70 of nice 0), else all of it.
func nicedWeight() float64 {
	// The raw system call returns 20 - nice.
	if prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0); err == nil && prio < 20 {
		return 1
	}
	return 0.25
}
