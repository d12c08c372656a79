package sandbox

import (
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/activations"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/automation"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/calendar"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/commands"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/instanceconnect"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/opsitems"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/params"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/patch"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/secrets"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/sessions"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/sts"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tagging"
)

// openAreas opens the service areas, in dependency order: an area may use
// the areas opened before it. Each area loads its section of the state
// file, registers its operations with the router and closes through the
// host. A new service is one line here.
func (s *Server) openAreas(l *location, opts Options, fleet *Fleet) error {
	h := l.host
	var prm *params.Area
	var tg *tagging.Area
	var cmds *commands.Area
	timing := commands.Timing{InvocationDelay: opts.InvocationDelay, RebootDelay: opts.RebootDelay, TimeoutScale: opts.TimeoutScale}
	sessCfg := sessions.Config{Addr: func() string { return s.ln.Addr().String() }, NoPacing: opts.NoPacing, TimeoutScale: opts.TimeoutScale}
	var act *activations.Area // opened last; sessions ask it about the tier once running
	sessCfg.Allow = func(id string) error { return act.SessionAllowed(id) }
	for _, open := range []func() error{
		func() (err error) { l.nodes, err = nodes.New(h, fleet); return err },
		func() (err error) { l.documents, err = documents.New(h); return err },
		func() (err error) { prm, err = params.New(h, opts.KMSKeys); return err },
		func() error { tg = tagging.New(h, l.nodes, prm); return nil },
		func() (err error) { cmds, err = commands.New(h, l.nodes, l.documents, timing); return err },
		func() (err error) { l.sessions, err = sessions.New(h, l.nodes, l.documents, sessCfg); return err },
		func() error { calendar.New(h, l.documents); return nil },
		func() (err error) { _, err = secrets.New(h); return err },
		func() error { oi, err := opsitems.New(h); tg.Serve("OpsItem", oi); return err },
		func() (err error) { act, err = activations.New(h, l.nodes); return err },
		func() (err error) { _, err = patch.New(h, l.nodes, cmds); return err },
		func() (err error) {
			l.automation, err = automation.New(h, l.nodes, l.documents, cmds, opts.TimeoutScale)
			return err
		},
		func() error { sts.New(h); return nil },
		func() error { l.instanceConnect = instanceconnect.New(h, l.nodes); return nil },
	} {
		if err := open(); err != nil {
			return err
		}
	}
	return nil
}
