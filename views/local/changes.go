package local

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/ref"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/prompt"
)

// Changer changes the engine's images and moves them to and from
// registries. A local or remote tag that would move off another image is
// refused with a *domain.OverwriteError unless ow allows moving it off that
// image (the one the overwrite dialog named).
type Changer interface {
	Tag(ctx context.Context, src, target string, ow domain.Overwrite) error
	// Untag removes one tag, or a dangling image by ID, when ref still names
	// image (the one the dialog named); it reports whether the image went.
	Untag(ctx context.Context, ref, image string) (removed bool, err error)
	// Push and TagAndPush say in the result's Warnings what the user must
	// know although the push went through (it could not be journaled).
	Push(ctx context.Context, ref string, ow domain.Overwrite, progress func(domain.CopyProgress)) (domain.PushResult, error)
	TagAndPush(ctx context.Context, src, target string, ow domain.Overwrite, progress func(domain.CopyProgress)) (domain.PushResult, error)
	Pull(ctx context.Context, ref, platform string, progress func(domain.CopyProgress)) (digest string, err error)
}

// TaggedMsg carries a tag's result; Overwrite is what it was allowed to
// move the tag off.
type TaggedMsg struct {
	Src, Target string
	Overwrite   domain.Overwrite
	Err         error
}

// UntaggedMsg carries an untag's result: Image is the image the dialog
// named.
type UntaggedMsg struct {
	Ref, Image string
	Removed    bool
	Err        error
}

// PushedMsg carries a push's (or retag-and-push's: Src is then the image
// ID) result; Overwrite is what it was allowed to replace.
type PushedMsg struct {
	Src, Target string
	Retag       bool
	Overwrite   domain.Overwrite
	Result      domain.PushResult
	Err         error
}

// PulledMsg carries a pull's result.
type PulledMsg struct {
	Ref    string
	Digest string
	Err    error
}

func request(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// errNoEngineChanges is why the change keys do nothing without a changer.
var errNoEngineChanges = errors.New("no engine to change: start Docker or set DOCKER_HOST")

// changeKey handles t, m, d, p, P and L.
func (m *Model) changeKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if !key.Matches(msg, k.Tag, k.Move, k.Untag, k.Push, k.RetagPush, k.Pull, k.PushAcross) {
		return nil
	}
	if m.changer == nil {
		return status("", errNoEngineChanges)
	}
	c := m.changer // the prompt's callbacks capture values, not the model
	if key.Matches(msg, k.Pull) {
		return request(prompt.RequestMsg{
			Title: "Pull", Label: "reference, and a platform if you want one (e.g. alpine:3.20 linux/arm64)",
			Validate: checkPull,
			OnSubmit: func(s string) tea.Cmd {
				ref, platform, _ := strings.Cut(strings.TrimSpace(s), " ")
				return pull(c, ref, strings.TrimSpace(platform))
			},
		})
	}
	img, ok := m.current()
	if !ok {
		return status("no image selected", nil)
	}
	first := ""
	if len(img.RepoTags) > 0 {
		first = img.RepoTags[0]
	}
	switch {
	case key.Matches(msg, k.Tag):
		return request(prompt.RequestMsg{
			Title: "Tag " + rowName(img), Label: "new tag for this image", Value: first,
			Validate: ref.CheckTarget,
			OnSubmit: func(t string) tea.Cmd { return tagImage(c, img.ID, t, domain.Overwrite{}) },
		})
	case key.Matches(msg, k.Move):
		return request(prompt.RequestMsg{
			Title: "Move a tag to " + rowName(img), Label: "the tag to move here from the image it names now",
			Validate: ref.CheckTarget,
			OnSubmit: func(t string) tea.Cmd { return tagImage(c, img.ID, t, domain.Overwrite{}) },
		})
	case key.Matches(msg, k.Untag):
		return request(untagDialog(c, img))
	case first == "":
		return status("this image has no tag: tag it first (t)", nil)
	case key.Matches(msg, k.Push):
		return request(pushPrompt(c, img))
	case key.Matches(msg, k.PushAcross):
		if m.across == "" {
			return status("nothing is open on the Remote side: choose a registry or a repository there first", nil)
		}
		return request(prompt.RequestMsg{
			Title: "Push " + first + " to " + m.across, Label: "as (tagged locally, then pushed)", Value: across(first, m.across),
			Validate: ref.CheckTarget,
			OnSubmit: func(t string) tea.Cmd { return tagAndPush(c, img.ID, t, domain.Overwrite{}) },
		})
	}
	// P: retag for a configured registry and push, in one step.
	target := retarget(first, m.registries)
	return request(prompt.RequestMsg{
		Title: "Push " + first + " to a registry", Label: "as (tagged locally, then pushed)", Value: target,
		Hint:     "configured registries: " + strings.Join(m.registries, ", "),
		Validate: ref.CheckTarget,
		OnSubmit: func(t string) tea.Cmd { return tagAndPush(c, img.ID, t, domain.Overwrite{}) },
	})
}

// pushPrompt asks which of the image's tags to push (all of them listed; a
// remote tag that names another image is not replaced without asking).
func pushPrompt(c Changer, img domain.LocalImage) prompt.RequestMsg {
	label := "the tag to push"
	if len(img.RepoTags) > 1 {
		label = fmt.Sprintf("which of its %d tags to push (or all)", len(img.RepoTags))
	}
	return prompt.RequestMsg{
		Title: "Push " + rowName(img), Label: label, Value: img.RepoTags[0],
		Hint: "its tags: " + strings.Join(img.RepoTags, ", "),
		Validate: func(s string) error {
			s = strings.TrimSpace(s)
			if s == "all" || slices.Contains(img.RepoTags, s) {
				return nil
			}
			return fmt.Errorf("%q is not a tag of this image", s)
		},
		OnSubmit: func(s string) tea.Cmd {
			if s = strings.TrimSpace(s); s != "all" {
				return push(c, s, domain.Overwrite{})
			}
			cmds := make([]tea.Cmd, len(img.RepoTags))
			for i, t := range img.RepoTags {
				cmds[i] = push(c, t, domain.Overwrite{})
			}
			return tea.Batch(cmds...)
		},
	}
}

// SetAcross sets where > pushes: the repository open on the Remote side
// (host/path), or a registry host while none is open.
func (m *Model) SetAcross(target string) { m.across = target }

// across is where > offers to push ref: the tag it has, in the repository
// open on the Remote side; with only a registry open, ref's repository
// path there.
func across(name, target string) string {
	if !strings.Contains(target, "/") {
		return retarget(name, []string{target})
	}
	tag := "latest"
	if r, err := ref.Parse(name); err == nil && r.Tag() != "" {
		tag = r.Tag()
	}
	return target + ":" + tag
}

// retarget is ref's repository path and tag on the first configured
// registry.
func retarget(ref string, registries []string) string {
	if len(registries) == 0 {
		return ref
	}
	path := ref
	if i := strings.IndexByte(ref, '/'); i > 0 {
		if host := ref[:i]; strings.ContainsAny(host, ".:") || host == "localhost" {
			path = ref[i+1:]
		}
	}
	return registries[0] + "/" + path
}

func checkPull(s string) error {
	image, platform, _ := strings.Cut(strings.TrimSpace(s), " ")
	if err := ref.CheckImage(image); err != nil {
		return err
	}
	if platform = strings.TrimSpace(platform); platform != "" && strings.Count(platform, "/") < 1 {
		return fmt.Errorf("%q: a platform is os/arch, e.g. linux/arm64", platform)
	}
	return nil
}

// untagDialog asks before removing a tag, saying whether the image goes
// too and what keeps it (a container). The answer acts on the image the
// dialog names: a tag that names another image by then is left alone.
func untagDialog(c Changer, img domain.LocalImage) views.ConfirmRequestMsg {
	var req views.ConfirmRequestMsg
	switch {
	case img.Dangling || len(img.RepoTags) == 0:
		id := domain.ShortDigest(img.ID)
		req = views.ConfirmRequestMsg{
			Title: "Remove image " + id + "?", Body: "It has no tag. Its layers stay while other images use them.",
			Action: "Remove", OnConfirm: untag(c, img.ID, img.ID),
		}
	case len(img.RepoTags) == 1:
		req = views.ConfirmRequestMsg{
			Title: "Remove " + img.RepoTags[0] + "?", Body: "It is the image's only tag, so the image goes too (" + domain.ShortDigest(img.ID) + ", " + domain.HumanSize(img.Size) + ").",
			Action: "Remove", OnConfirm: untag(c, img.RepoTags[0], img.ID),
		}
	default:
		return views.ConfirmRequestMsg{
			Title: "Untag " + img.RepoTags[0] + "?", Body: "The image keeps its other tags: " + strings.Join(img.RepoTags[1:], ", "),
			Action: "Untag", OnConfirm: untag(c, img.RepoTags[0], img.ID),
		}
	}
	if len(img.Containers) > 0 {
		// Said before, not after: the engine refuses while they exist.
		req.Body += "\nUsed by container " + strings.Join(img.Containers, ", ") + ": the engine refuses to remove it while " +
			map[bool]string{true: "they exist", false: "it exists"}[len(img.Containers) > 1] + " (docker rm it first); nothing changes then."
	}
	return req
}

func tagImage(c Changer, src, target string, ow domain.Overwrite) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), changeTimeout)
		defer cancel()
		return TaggedMsg{Src: src, Target: target, Overwrite: ow, Err: c.Tag(ctx, src, target, ow)}
	}
}

// changeTimeout bounds a tag or untag: the engine answers those at once.
const changeTimeout = time.Minute

// untag runs as a job, as every change does: x cancels it.
func untag(c Changer, ref, image string) tea.Cmd {
	return views.StartJob("untag "+ref, func(ctx context.Context, _ func(views.JobProgress)) (string, tea.Msg, error) {
		ctx, cancel := context.WithTimeout(ctx, changeTimeout)
		defer cancel()
		removed, err := c.Untag(ctx, ref, image)
		summary := "untagged " + ref
		if removed {
			summary += "; its image went with its last tag"
		}
		return summary, UntaggedMsg{Ref: ref, Image: image, Removed: removed, Err: err}, err
	})
}

// report turns transfer progress into a job's.
func report(r func(views.JobProgress)) func(domain.CopyProgress) {
	return func(p domain.CopyProgress) {
		r(views.JobProgress{Done: p.BytesDone, Total: p.BytesTotal, Text: fmt.Sprintf("layers %d/%d", p.BlobsDone, p.BlobsTotal), Detail: p.Detail})
	}
}

func push(c Changer, ref string, ow domain.Overwrite) tea.Cmd {
	return views.StartJob("push "+ref, func(ctx context.Context, r func(views.JobProgress)) (string, tea.Msg, error) {
		res, err := c.Push(ctx, ref, ow, report(r))
		return pushSummary(ref, res), PushedMsg{Src: ref, Target: ref, Overwrite: ow, Result: res, Err: err}, err
	})
}

func tagAndPush(c Changer, src, target string, ow domain.Overwrite) tea.Cmd {
	return views.StartJob("push "+target, func(ctx context.Context, r func(views.JobProgress)) (string, tea.Msg, error) {
		res, err := c.TagAndPush(ctx, src, target, ow, report(r))
		return pushSummary(target, res), PushedMsg{Src: src, Target: target, Retag: true, Overwrite: ow, Result: res, Err: err}, err
	})
}

// pushSummary is a push's line in the jobs area, with its warnings.
func pushSummary(ref string, res domain.PushResult) string {
	s := "pushed " + ref + " " + domain.ShortDigest(res.Digest)
	for _, w := range res.Warnings {
		s += "; " + w
	}
	return s
}

func pull(c Changer, ref, platform string) tea.Cmd {
	title := "pull " + ref
	if platform != "" {
		title += " (" + platform + ")"
	}
	return views.StartJob(title, func(ctx context.Context, r func(views.JobProgress)) (string, tea.Msg, error) {
		d, err := c.Pull(ctx, ref, platform, report(r))
		return "pulled " + ref + " " + domain.ShortDigest(d), PulledMsg{Ref: ref, Digest: d, Err: err}, err
	})
}

// overwriteDialog asks before a tag moves off another image; default no.
func overwriteDialog(ow *domain.OverwriteError, again tea.Cmd) tea.Cmd {
	body := []string{"The tag names another image now:", "  now    " + ow.Existing, "  this   " + ow.Incoming}
	if ow.Note != "" {
		body = append(body, ow.Note)
	}
	return request(views.ConfirmRequestMsg{
		Title: "Move " + ow.Reference + "?", Body: strings.Join(body, "\n"), Action: "Move tag", OnConfirm: again,
	})
}

// changed reports a change's result; the engine's events refresh the list,
// and so does a reload here for engines that send none.
func (m *Model) changed(msg tea.Msg) tea.Cmd {
	var ow *domain.OverwriteError
	switch msg := msg.(type) {
	case TaggedMsg:
		switch {
		case errors.As(msg.Err, &ow):
			// Yes moves the tag off the image the dialog names, and no other.
			return overwriteDialog(ow, tagImage(m.changer, msg.Src, msg.Target, msg.Overwrite.And(ow.Existing)))
		case msg.Err != nil:
			return status("", msg.Err)
		}
		return tea.Batch(m.load(), status("tagged "+msg.Target, nil))
	case UntaggedMsg:
		switch {
		case msg.Err != nil:
			return status("", msg.Err)
		case msg.Removed:
			m.removed = msg.Image
			return tea.Batch(m.load(), status("removed "+msg.Ref+" and its image", nil))
		}
		return tea.Batch(m.load(), status("untagged "+msg.Ref, nil))
	case PushedMsg:
		switch {
		case errors.As(msg.Err, &ow) && msg.Retag:
			return overwriteDialog(ow, tagAndPush(m.changer, msg.Src, msg.Target, msg.Overwrite.And(ow.Existing)))
		case errors.As(msg.Err, &ow):
			return overwriteDialog(ow, push(m.changer, msg.Target, msg.Overwrite.And(ow.Existing)))
		case msg.Err == nil && len(msg.Result.Warnings) > 0:
			// The warning outlives the job line: the status bar keeps it.
			m.syncKey = ""
			return tea.Batch(m.load(), status("pushed "+msg.Target+": "+strings.Join(msg.Result.Warnings, "; "), nil))
		}
		// The registry changed: compare again even if the listing did not.
		m.syncKey = ""
		return m.load()
	case PulledMsg:
		m.syncKey = ""
		return m.load()
	}
	return nil
}

// Pull pulls a reference into the engine as a job (asked for from another
// pane).
func (m *Model) Pull(ref string) tea.Cmd {
	if m.changer == nil {
		return status("", errNoEngineChanges)
	}
	return pull(m.changer, ref, "")
}

// PullAll pulls refs one after the other in one job, a line each; one
// that fails does not stop the others.
func (m *Model) PullAll(refs []string) tea.Cmd {
	if m.changer == nil {
		return status("", errNoEngineChanges)
	}
	c := m.changer
	return views.StartJob(fmt.Sprintf("pull %d images", len(refs)), func(ctx context.Context, r func(views.JobProgress)) (string, tea.Msg, error) {
		var lines []string
		failed := 0
		for i, ref := range refs {
			if ctx.Err() != nil {
				return "", nil, ctx.Err()
			}
			d, err := c.Pull(ctx, ref, "", func(domain.CopyProgress) {})
			if err != nil {
				failed++
				lines = append(lines, "failed "+ref+": "+err.Error())
			} else {
				lines = append(lines, "pulled "+ref+" "+domain.ShortDigest(d))
			}
			r(views.JobProgress{Done: int64(i + 1), Total: int64(len(refs)), Text: fmt.Sprintf("images %d/%d", i+1, len(refs)), Detail: slices.Clone(lines)})
		}
		var err error
		if failed > 0 {
			err = fmt.Errorf("%d of %d pulls failed (J lists why)", failed, len(refs))
		}
		return fmt.Sprintf("pulled %d of %d images", len(refs)-failed, len(refs)), PulledMsg{Ref: refs[len(refs)-1]}, err
	})
}
