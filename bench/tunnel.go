package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// tunnel-setup and tunnel-transfer: port forwarding with `ssmctl
// port-forward` and with `aws ssm start-session --document-name
// AWS-StartPortForwardingSession` running the official
// session-manager-plugin (built from its Go module, as the session
// scenarios do), to an echo server that is the node's port 7, on a sandbox
// paced as the agent's port plugin (docs/sandbox-sessions.md).
func init() {
	register(tunnelSetupScenario)
	register(tunnelTransferScenario)
}

// tunnelRemotePort is the node port that the fleet maps to the echo
// server.
const tunnelRemotePort = "7"

// The targets (issues show 12, Benchmark).
const (
	tunnelSetupRatio    = 3.0 // set-up at most a third of the AWS CLI's time
	tunnelParallelRatio = 3.0 // 16 connections with --sessions 4 at least 3x the plugin
)

var (
	tunnelEchoOnce sync.Once
	tunnelEchoAddr string
	tunnelEchoErr  error
)

// tunnelEcho is the echo server behind the node's port 7, one for the
// harness's life (scenarios are built for the usage text too, so it
// starts on first use).
func tunnelEcho() (string, error) {
	tunnelEchoOnce.Do(func() { tunnelEchoAddr, _, tunnelEchoErr = sandbox.EchoServer(0) })
	return tunnelEchoAddr, tunnelEchoErr
}

func tunnelFleet() *sandbox.Fleet {
	f := sessionFleet()
	addr, _ := tunnelEcho()
	for _, n := range f.Nodes {
		n.Ports = map[string]string{tunnelRemotePort: addr}
	}
	return f
}

// tunnelCommands are the rows: ssmctl on a free port it is given, the AWS
// CLI with the plugin on another, and ssmctl with --sessions 4 when
// withSessions.
func tunnelCommands(drive func(label string, port int) func(*exec.Cmd, *bytes.Buffer) (time.Time, error), withSessions bool) []command {
	ports := make([]int, 3)
	for i := range ports {
		ports[i] = freePort()
	}
	spec := func(p int) string { return strconv.Itoa(p) + ":" + tunnelRemotePort }
	cmds := []command{
		{Label: "ssmctl port-forward", Argv: []string{"ssmctl", "port-forward", sessionNodeName, spec(ports[0])},
			ExitCode: 130, Result: tunnelResult},
		{Label: "aws CLI + session-manager-plugin", Argv: []string{"aws", "ssm", "start-session", "--target", sessionNodeID,
			"--document-name", "AWS-StartPortForwardingSession",
			"--parameters", fmt.Sprintf(`{"portNumber":["%s"],"localPortNumber":["%d"]}`, tunnelRemotePort, ports[1])},
			Result: tunnelResult},
	}
	if withSessions {
		cmds = append(cmds, command{Label: "ssmctl port-forward --sessions 4",
			Argv:     []string{"ssmctl", "port-forward", "--sessions", "4", sessionNodeName, spec(ports[2])},
			ExitCode: 130, Result: tunnelResult})
	}
	for i := range cmds {
		cmds[i].Drive = drive(cmds[i].Label, ports[i])
	}
	return cmds
}

// freePort is a loopback port free at the moment (0 if none: the row then
// fails to connect and says so).
func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// tunnelResult: every row ends up with the same single entry, so the
// harness's agreement check holds; the transfers checked their bytes.
func tunnelResult([]byte) ([]string, error) { return []string{"tunnel"}, nil }

// startTunnel starts the child in a process group of its own (Ctrl-C on
// a terminal goes to the group: the AWS CLI and its plugin alike) and
// waits until the local port echoes a first byte, which it returns the
// time of.
func startTunnel(cmd *exec.Cmd, out *bytes.Buffer, port int) (time.Time, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return time.Time{}, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		_ = c.SetDeadline(time.Now().Add(30 * time.Second))
		b := []byte{'x'}
		_, err = c.Write(b)
		if err == nil {
			_, err = io.ReadFull(c, b)
		}
		c.Close()
		if err == nil {
			return time.Now(), nil
		}
		// The plugin accepts and drops connections until its session is
		// up on some versions; try again.
		time.Sleep(5 * time.Millisecond)
	}
	return time.Time{}, fmt.Errorf("%s did not echo a first byte within a minute", addr)
}

// stopTunnel interrupts the child's process group, as Ctrl-C would, and
// waits for it (killing it after 30 s).
func stopTunnel(cmd *exec.Cmd) error {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		return errors.New("did not exit within 30 s of SIGINT; killed")
	}
}

func tunnelSetupScenario(cfg config) scenario {
	drive := func(label string, port int) func(*exec.Cmd, *bytes.Buffer) (time.Time, error) {
		return func(cmd *exec.Cmd, out *bytes.Buffer) (time.Time, error) {
			mark, err := startTunnel(cmd, out, port)
			if err != nil {
				_ = stopTunnel(cmd)
				return time.Time{}, err
			}
			return mark, stopTunnel(cmd)
		}
	}
	return scenario{
		Name:     "tunnel-setup",
		Title:    "tunnel set-up: from the start of the command until the local port echoes a first byte",
		Sandbox:  sandbox.Options{Fleet: tunnelFleet(), Seed: 1},
		Setup:    buildPlugin,
		Commands: tunnelCommands(drive, false),
		Checks: func(rows []row) []string {
			if len(rows) < 2 {
				return nil
			}
			s, cli := rows[0].medianWall(), rows[1].medianWall()
			return []string{fmt.Sprintf("Target (issue 12): set-up at most a third of the AWS CLI's time: %s vs %s, %.2f× the time: %s.",
				fmtDuration(s), fmtDuration(cli), float64(s)/float64(max(cli, 1)), verdict(float64(s)*tunnelSetupRatio <= float64(cli)))}
		},
		Notes: []string{
			"The time runs from the start of the child until a connection to the local port, retried every 5 ms " +
				"until it is accepted, has sent one byte and read it back from the echo server behind the node's port 7. " +
				"Then the harness sends SIGINT to the child's process group (Ctrl-C) and waits for it to exit: ssmctl " +
				"exits 130, the AWS CLI 0.",
		},
	}
}

// transfers holds, per row, the measured transfer times of each kind.
type transfers struct {
	mu sync.Mutex
	d  map[string][]time.Duration // label + "\x00" + kind
}

func (t *transfers) add(label, kind string, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.d == nil {
		t.d = map[string][]time.Duration{}
	}
	t.d[label+"\x00"+kind] = append(t.d[label+"\x00"+kind], d)
}

func (t *transfers) median(label, kind string) (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ds := slices.Clone(t.d[label+"\x00"+kind])
	if len(ds) == 0 {
		return 0, false
	}
	slices.Sort(ds)
	return ds[len(ds)/2], true
}

// The transfers: one of tunnelBytes, and tunnelConns in parallel of
// tunnelBytes/8 each (64 MiB and 16 × 8 MiB at the default -tunnel-mib).
const tunnelConns = 16

func tunnelTransferScenario(cfg config) scenario {
	size := cfg.TunnelMiB << 20
	each := size / 8
	tr := &transfers{}
	drive := func(label string, port int) func(*exec.Cmd, *bytes.Buffer) (time.Time, error) {
		return func(cmd *exec.Cmd, out *bytes.Buffer) (time.Time, error) {
			if _, err := startTunnel(cmd, out, port); err != nil {
				_ = stopTunnel(cmd)
				return time.Time{}, err
			}
			addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
			d, err := parallelEcho(addr, 1, size)
			if err == nil {
				tr.add(label, "one", d)
				d, err = parallelEcho(addr, tunnelConns, each)
				tr.add(label, "parallel", d)
			}
			mark := time.Now()
			if err != nil {
				_ = stopTunnel(cmd)
				return time.Time{}, err
			}
			return mark, stopTunnel(cmd)
		}
	}
	mib := func(n int) string { return fmt.Sprintf("%d MiB", n>>20) }
	if each < 1<<20 {
		mib = func(n int) string { return fmt.Sprintf("%d KiB", n>>10) }
	}
	return scenario{
		Name:     "tunnel-transfer",
		Title:    fmt.Sprintf("throughput of a tunnel: one %s transfer, then %d parallel %s transfers, each way", mib(size), tunnelConns, mib(each)),
		Sandbox:  sandbox.Options{Fleet: tunnelFleet(), Seed: 1},
		Setup:    buildPlugin,
		Commands: tunnelCommands(drive, true),
		Checks:   func(rows []row) []string { return tunnelTransferChecks(rows, tr, size, each) },
		Notes: []string{
			"Each run starts the tunnel (waiting until the local port echoes a byte), sends one connection's " +
				"data through it to the echo server behind the node's port 7 while reading it back, then the same " +
				"on 16 connections at once, and stops the tunnel with SIGINT; the wall time covers all of it. " +
				"Every connection's bytes are checked by SHA-256. The sandbox paces the node's side as the agent does " +
				"(1024-byte messages, 1 ms apart, per session); the client's side is each tool's own.",
		},
	}
}

// parallelEcho sends n bytes each way on conns connections at once and
// returns the time until the last byte came back intact.
func parallelEcho(addr string, conns, n int) (time.Duration, error) {
	start := time.Now()
	errs := make(chan error, conns)
	for i := range conns {
		go func() { errs <- echoChecked(addr, n, byte(i)) }()
	}
	var first error
	for range conns {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return time.Since(start), first
}

// echoChecked writes n bytes of a pattern seeded by seed to addr while
// reading n bytes back, and compares their SHA-256.
func echoChecked(addr string, n int, seed byte) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Minute))
	block := make([]byte, 32<<10)
	for i := range block {
		block[i] = byte(i*131) ^ seed ^ byte(i>>8)
	}
	sent := sha256.New()
	werr := make(chan error, 1)
	go func() {
		for left := n; left > 0; {
			b := block[:min(left, len(block))]
			sent.Write(b)
			if _, err := c.Write(b); err != nil {
				werr <- err
				return
			}
			left -= len(b)
			block[0]++ // no two blocks alike
		}
		werr <- nil
	}()
	got := sha256.New()
	m, err := io.Copy(got, io.LimitReader(c, int64(n)))
	if err != nil {
		return err
	}
	if err := <-werr; err != nil {
		return err
	}
	if m != int64(n) {
		return fmt.Errorf("%d bytes came back of %d", m, n)
	}
	if !bytes.Equal(sent.Sum(nil), got.Sum(nil)) {
		return errors.New("the bytes that came back differ from those sent (SHA-256)")
	}
	return nil
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

// tunnelTransferChecks prints the transfer times and rates per row and
// over a direct loopback connection to the echo server (the limit), and
// the targets.
func tunnelTransferChecks(rows []row, tr *transfers, size, each int) []string {
	rate := func(bytes int, d time.Duration) string {
		return fmt.Sprintf("%.2f MB/s", float64(bytes)/1e6/d.Seconds())
	}
	out := []string{"| path | one connection | " + strconv.Itoa(tunnelConns) + " connections |", "|---|--:|--:|"}
	line := func(label string, one, par time.Duration) {
		out = append(out, fmt.Sprintf("| %s | %s (%s) | %s (%s) |", label, fmtDuration(one), rate(size, one),
			fmtDuration(par), rate(each*tunnelConns, par)))
	}
	medians := map[string][2]time.Duration{}
	for _, r := range rows {
		one, ok1 := tr.median(r.Cmd.Label, "one")
		par, ok2 := tr.median(r.Cmd.Label, "parallel")
		if ok1 && ok2 {
			line(r.Cmd.Label, one, par)
			medians[r.Cmd.Label] = [2]time.Duration{one, par}
		}
	}
	if addr, err := tunnelEcho(); err == nil {
		one, err1 := parallelEcho(addr, 1, size)
		par, err2 := parallelEcho(addr, tunnelConns, each)
		if err1 == nil && err2 == nil {
			line("direct loopback connection (no tunnel)", one, par)
		}
	}
	out = append(out, "", "Medians of the runs; the rate is the bytes sent one way over the time until the last came back.")
	if len(rows) >= 3 {
		s, cli, s4 := medians[rows[0].Cmd.Label], medians[rows[1].Cmd.Label], medians[rows[2].Cmd.Label]
		if cli[0] > 0 && s[0] > 0 && s4[1] > 0 {
			out = append(out, "",
				fmt.Sprintf("Target (issue 12): one connection at least as fast as the official plugin: %s vs %s: %s.",
					fmtDuration(s[0]), fmtDuration(cli[0]), verdict(s[0] <= cli[0])),
				fmt.Sprintf("Target (issue 12): %d connections with --sessions 4 at least 3× the official plugin: %s vs %s, %.1f×: %s.",
					tunnelConns, fmtDuration(s4[1]), fmtDuration(cli[1]), float64(cli[1])/float64(s4[1]),
					verdict(float64(s4[1])*tunnelParallelRatio <= float64(cli[1]))))
		}
	}
	return out
}
