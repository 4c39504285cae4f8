package main

import (
	"errors"
	"fmt"

	"github.com/wharf-dev/wharf/internal/config"
	"github.com/wharf-dev/wharf/internal/deadline"
	"github.com/wharf-dev/wharf/tui"

	"github.com/wharf-dev/wharf/internal/ops"
	"github.com/wharf-dev/wharf/localcache"
)

// session opens what every registry command starts from (see ops.Open),
// and says on stderr what it could not open but can do without.
func (a *app) session() (*ops.Session, error) {
	s, err := ops.Open(a.env)
	if err != nil {
		return nil, err
	}
	// Key bindings the app cannot take are a mistake in the config file,
	// whichever command reads it: the CLI refuses them as the app does.
	var bad *tui.KeyError
	if err := tui.CheckKeys(s.Config.Bindings()); errors.As(err, &bad) {
		s.Close()
		return nil, &config.Error{Path: s.Config.Path, Line: bad.Binding.Line, Field: bad.Binding.Field(), Msg: bad.Msg}
	}
	a.redact = s.Client.Redact
	if a.op != nil {
		// The configured budget (stall_timeout) from now on.
		deadline.SetBudget(a.op, s.Budget())
	}
	a.notes(s)
	return s, nil
}

// notes says what the session could not open but can do without.
func (a *app) notes(s *ops.Session) {
	for _, n := range s.Notes {
		fmt.Fprintln(a.stderr, "wharf:", a.redacted(n))
	}
}

// withSession runs f with a session.
func (a *app) withSession(f func(*ops.Session) error) error {
	s, err := a.session()
	if err != nil {
		return err
	}
	defer s.Close()
	return f(s)
}

// withEngine runs f with a session and the engine.
func (a *app) withEngine(f func(*ops.Session, *localcache.Cache) error) error {
	return a.withSession(func(s *ops.Session) error {
		eng, err := s.Engine()
		if err != nil {
			return err
		}
		defer eng.Close()
		return f(s, eng)
	})
}
