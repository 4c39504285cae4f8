package main

import (
	"fmt"

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
	a.notes(s)
	return s, nil
}

// notes says what the session could not open but can do without.
func (a *app) notes(s *ops.Session) {
	for _, n := range s.Notes {
		fmt.Fprintln(a.stderr, "wharf:", n)
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
