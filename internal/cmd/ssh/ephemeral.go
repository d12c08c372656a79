package ssh

import (
	"context"
	"fmt"
	"os/exec"
	"os/user"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/session"
	"github.com/ssmctl/ssmctl/pkg/sshkey"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// ephemeralKey decides whether ssh logs in with a one-time key and, if
// so, places it: the ssh options that offer it (its agent socket), the
// function that removes it from the node (and closes the agent), to call
// once ssh has exited, and how it was placed ("" for no key).
func ephemeralKey(ctx context.Context, opts *Options, node target.Node, dest string) (args []string, remove func(), via sshkey.Via, err error) {
	nothing := func() {}
	if opts.EphemeralSet && !opts.Ephemeral {
		return nil, nothing, "", nil
	}
	// What ssh would do: its login user and whether it has a key to offer.
	out, cerr := opts.SSHConfig(ctx, append([]string{dest}, opts.SSHArgs...))
	cfg := sshkey.ParseConfig(out)
	if !opts.EphemeralSet {
		if cerr != nil || cfg.HasIdentity(opts.Getenv) {
			return nil, nothing, "", nil
		}
	}
	login := opts.User
	if login == "" {
		login = cfg.User
	}
	if login == "" {
		if u, err := user.Current(); err == nil {
			login = u.Username
		}
	}
	if err := sshkey.Check(node, login); err != nil {
		return nil, nil, "", err
	}
	eicRefusal := sshkey.InstanceConnectRefusal(node, login)
	if opts.KeyVia == sshkey.ViaInstanceConnect && eicRefusal != "" {
		return nil, nil, "", exitcode.Usagef("--key-via instance-connect: %s", eicRefusal)
	}
	key, err := sshkey.New()
	if err != nil {
		return nil, nil, "", err
	}
	p, err := placeKey(ctx, opts, node, login, key, eicRefusal == "")
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, "", exitcode.Interruptedf(ctx, "no key placed")
		}
		return nil, nil, "", err
	}
	sock, stop, err := key.Agent()
	if err != nil {
		if rerr := p.Remove(ctx); rerr != nil {
			opts.IO.Warnf("%v", rerr)
		}
		return nil, nil, "", exitcode.Wrap(exitcode.Other, fmt.Errorf("starting the key's agent: %w", err))
	}
	return []string{"-o", "IdentityAgent=" + sock, "-o", "IdentitiesOnly=no"}, func() {
		stop()
		if err := p.Remove(ctx); err != nil {
			opts.IO.Warnf("%v", err)
		}
	}, p.Via(), nil
}

// placeKey places key for login on node as --key-via says: EC2 Instance
// Connect first when eic (an i- node and a user name it takes) and the
// flag allows it, then, under auto, a Run Command if that fails.
func placeKey(ctx context.Context, opts *Options, node target.Node, login string, key *sshkey.Key, eic bool) (*sshkey.Placement, error) {
	if eic && opts.KeyVia != sshkey.ViaRunCommand {
		opts.IO.Infof("Sending a one-time key for %s on %s with EC2 Instance Connect (valid for %s; nothing is written on the node)", login, session.NodeLabel(node), sshkey.TTL)
		api, err := opts.InstanceConnect(ctx)
		var p *sshkey.Placement
		if err == nil {
			p, err = sshkey.PushInstanceConnect(ctx, api, node, login, key)
		}
		if err == nil || ctx.Err() != nil {
			return p, err
		}
		if opts.KeyVia == sshkey.ViaInstanceConnect {
			return nil, exitcode.Wrap(exitcode.Other, fmt.Errorf("placing the ephemeral key for %s on %s: %w", login, session.NodeLabel(node), err))
		}
		opts.IO.Infof("EC2 Instance Connect did not take the key (%v); placing it with a Run Command instead", err)
	}
	rc, err := opts.RunCommand(ctx)
	if err != nil {
		return nil, err
	}
	opts.IO.Infof("Placing a one-time key for %s on %s with a Run Command (removed when ssh exits, at the latest after %s)", login, session.NodeLabel(node), sshkey.TTL)
	p, err := sshkey.Place(ctx, rc, node, login, key, func(err error) {
		if err != nil {
			opts.IO.Warnf("%v", err)
		}
	})
	if err != nil && ctx.Err() == nil {
		return nil, exitcode.Wrap(exitcode.Other, err)
	}
	return p, err
}

// sshConfig runs `ssh -G args`: the configuration ssh would use.
func sshConfig(ctx context.Context, args []string) (string, error) {
	path, err := exec.LookPath("ssh")
	if err != nil {
		return "", err
	}
	out, err := exec.CommandContext(ctx, path, append([]string{"-G"}, args...)...).Output()
	return string(out), err
}
