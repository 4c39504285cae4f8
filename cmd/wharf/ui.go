package main

import (
	"context"
	"errors"
)

func (a *app) runUI(ctx context.Context, demo bool) error {
	return errors.New("not yet")
}
