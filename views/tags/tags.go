// Package tags is the Tags pane: a repository's tags, with the digest column
// filling in as parallel HEAD requests return. Tags that share a digest get
// the same colour and a "= N" count: the answer to "which of these tags are
// really the same image".
package tags

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/listnav"
	"github.com/wharf-dev/wharf/views/theme"
)

// Source lists tags and resolves their digests.
type Source interface {
	Tags(ctx context.Context, repository string) ([]string, error)
	Digests(ctx context.Context, repository string, tags []string, each func(domain.TagDigest)) error
}

// Changer changes a registry's tags. Every change is journaled, so it can
// be undone. Each acts on what the user was shown: a delete on the digest
// the dialog named (digest ""; whatever the tag names), a retag or copy
// onto a tag that names another image only when ow allows moving it off
// that image, an undo on the journal entry the dialog named.
type Changer interface {
	DeleteTag(ctx context.Context, reference, digest string) (domain.DeleteResult, error)
	Retag(ctx context.Context, source, newTag string, ow domain.Overwrite) (domain.WriteResult, error)
	Copy(ctx context.Context, source, dest string, ow domain.Overwrite, progress func(domain.CopyProgress)) (domain.WriteResult, error)
	// NextUndo is the journal entry an undo in repository would undo
	// next: the newest of its entries that changed something and is not
	// undone yet.
	NextUndo(ctx context.Context, repository string) (domain.JournalEntry, error)
	Undo(ctx context.Context, entry domain.JournalEntry) (domain.UndoResult, error)
}

// CreatedSource is a Source that can also say when images were created,
// for sorting by creation time (s cycles to it only then).
type CreatedSource interface {
	Created(ctx context.Context, repository string, digests []string, each func(digest string, created time.Time, err error)) error
}

// CreatedMsg carries one image's creation time; more follow on the stream.
type CreatedMsg struct {
	Repository string
	Seq        int
	Digest     string
	Created    time.Time
	stream     <-chan tea.Msg
}

// CreatedDoneMsg ends a creation-time stream.
type CreatedDoneMsg struct {
	Repository string
	Seq        int
}

// KeyMap are the pane's keys.
type KeyMap struct {
	Nav    listnav.KeyMap
	Open   key.Binding
	Sort   key.Binding
	Delete key.Binding
	Undo   key.Binding
	Retag  key.Binding
	Copy   key.Binding
	Group  key.Binding
	Mark   key.Binding
	Pull   key.Binding
	// Retain previews a retention policy over the repository, and applies
	// it after a confirm.
	Retain key.Binding
	// Select selects the tag under the cursor for d (space); SelectAll
	// every tag the filter shows.
	Select, SelectAll key.Binding
	// CopyPull copies the pull command of the tag under the cursor (by
	// its digest when resolved) to the clipboard.
	CopyPull key.Binding
	// Reload asks the registry again (the retry when it was unreachable).
	Reload key.Binding
}

// DefaultKeyMap returns the pane's keys.
func DefaultKeyMap() KeyMap {
	nav := listnav.DefaultKeyMap()
	// G is the grouped view here; end still goes to the bottom.
	nav.Bottom = key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "bottom"))
	return KeyMap{
		Nav:       nav,
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Sort:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
		Delete:    key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete")),
		Undo:      key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undo")),
		Retag:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retag")),
		Copy:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy")),
		Group:     key.NewBinding(key.WithKeys("G"), key.WithHelp("G", "group by image")),
		Mark:      key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "compare")),
		Pull:      key.NewBinding(key.WithKeys("L", "<"), key.WithHelp("L/<", "pull to Local")),
		Retain:    key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "retention…")),
		Select:    key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "select (* all)")),
		CopyPull:  key.NewBinding(key.WithKeys("Y"), key.WithHelp("Y", "copy pull/digest/ref")),
		Reload:    key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "reload")),
		SelectAll: key.NewBinding(key.WithKeys("*", "ctrl+a"), key.WithHelp("*", "select all shown")),
	}
}

// KnownSource is a Source that remembers what it last saw of a repository
// (without the network): the pane shows that at once, with its age, while
// it asks the registry again.
type KnownSource interface {
	Known(repository string) (domain.RepoSnapshot, bool)
}

// KnownMsg carries what the source remembers of a repository; the pane
// shows it and then lists the tags afresh.
type KnownMsg struct {
	Repository string
	Seq        int
	Snapshot   domain.RepoSnapshot
	OK         bool
}

// LoadedMsg carries a repository's tags, and wharf's placeholders there.
type LoadedMsg struct {
	Repository   string
	Seq          int
	Tags         []string
	Placeholders map[string]int
	// Immutable are the tags the registry keeps on their image for good
	// (ECR's IMMUTABLE repositories, ACR's write-locked tags).
	Immutable map[string]bool
	Err       error
}

// DigestResolvedMsg carries one tag's digest; more follow on the stream.
type DigestResolvedMsg struct {
	Repository string
	Seq        int
	Result     domain.TagDigest
	stream     <-chan tea.Msg
}

// DigestsDoneMsg ends a digest stream.
type DigestsDoneMsg struct {
	Repository string
	Seq        int
	Err        error
}

// SelectedMsg says the user chose a tag; Reference is "host/repo:tag".
type SelectedMsg struct {
	Reference string
	// Open asks for Details to show (enter), not only to follow.
	Open bool
}

// CompareMsg asks for two references to be compared (c on one tag, then c
// on another).
type CompareMsg struct {
	A, B string
	// Local names the side that is a local image ("a" or "b"; "" for
	// two remote tags), LocalName what the user knows it by.
	Local, LocalName string
}

// DeletedMsg carries a tag delete's result.
type DeletedMsg struct {
	Reference string
	Result    domain.DeleteResult
	Err       error
}

// RetaggedMsg carries a retag's result; Overwrite is what it was allowed
// to replace.
type RetaggedMsg struct {
	Source, NewTag string
	Overwrite      domain.Overwrite
	Result         domain.WriteResult
	Err            error
}

// CopiedMsg carries a copy's result (the copy ran as a job).
type CopiedMsg struct {
	// Source is what was copied (repository@digest); Label what the user
	// chose (repository:tag).
	Source, Label, Dest string
	Overwrite           domain.Overwrite
	Result              domain.WriteResult
	Err                 error
}

// Retainer plans and applies retention policies; a Changer that is one
// gets R in the pane.
type Retainer interface {
	PlanRetention(ctx context.Context, repository string, pol domain.RetentionPolicy) (domain.RetentionPlan, error)
	ApplyRetention(ctx context.Context, plan domain.RetentionPlan, each func(domain.RetainedTag, domain.DeleteResult, error)) error
}

// RetentionPlannedMsg carries a retention plan to preview.
type RetentionPlannedMsg struct {
	Repository string
	Plan       domain.RetentionPlan
	Err        error
}

// RetainedMsg ends an applied retention plan (it ran as a job).
type RetainedMsg struct {
	Repository      string
	Deleted, Failed int
}

// UndoFoundMsg carries the journal entry u would undo (to ask first).
type UndoFoundMsg struct {
	Repository string
	Entry      domain.JournalEntry
	Err        error
}

// UndoneMsg carries an undo's result.
type UndoneMsg struct {
	Result domain.UndoResult
	Err    error
}

type row struct {
	tag    string
	digest string
	err    error
	// stale is a digest remembered from an earlier visit, not yet asked
	// for again.
	stale bool
}

// Model is the Tags pane.
type Model struct {
	keys    KeyMap
	styles  *theme.Styles
	src     Source
	changer Changer
	// own are the journal entries this pane made or undid: their news in
	// the journal is not news here; deleted is the tag the pane's own delete
	// took (its going is no news either).
	own     map[int]bool
	deleted string
	// placeholders are wharf's own placeholder digests here, by the
	// journal entry that undoes the delete that left them.
	placeholders map[string]int
	repo         string
	keepTag      string
	keepPos      int
	// created holds the images' creation times by digest, once asked for
	// (sorting by created); creating counts those still to come.
	created       map[string]time.Time
	creating      int
	cancelCreated context.CancelFunc
	// mark is the tag c marked for a compare.
	mark        string
	rows        []row
	shown       []int
	filter      listnav.Filter
	grouped     bool
	groups      []group
	groupsValid bool
	height      int
	index       map[string]int
	shared      map[string]int
	resolved    int
	loading     bool
	err         error
	seq         int
	cancel      context.CancelFunc
	order       domain.TagOrder
	cur         listnav.Cursor
	width       int
	focused     bool
	// companions are the cosign tags folded away, by the digest they sign;
	// kinds what refers to each digest (signature, attestation, sbom).
	companions map[string][]string
	kinds      map[string]map[string]bool
	// indexes are the platforms of the digests Details found to be an
	// index; artifacts what the digests it found not to be images are.
	indexes   map[string][]string
	artifacts map[string]string
	// immutable are the tags the registry will not move (LoadedMsg).
	immutable map[string]bool
	// localMark is a local image (ID, and its name) to compare with the
	// next tag c is pressed on.
	localMark, localName string
	// The filter's state: the tags in row order and in lower case (built
	// once per order), the current match, and its sequence; rowsGen
	// changes with the order of the rows.
	names, lower []string
	ranked       listnav.Ranked
	filterSeq    int
	rowsGen      int
	// knownAt is when the tag list shown was fetched, while the rows are
	// what an earlier visit saw (zero once the registry answered); stale
	// counts the digests not yet asked for again.
	knownAt time.Time
	stale   int
	clock   func() time.Time
	// selection are the tags selected for d, y and L.
	selection listnav.Selection
	// facts are what the digests on screen are (size, created, platforms),
	// once asked for (factsAsked) through factsCtx.
	facts       map[string]domain.ImageFacts
	factsAsked  map[string]bool
	factsCtx    context.Context
	cancelFacts context.CancelFunc
	// copied is the tag Y last copied, copyStep what of it.
	copied   string
	copyStep int
}

var _ views.Component = (*Model)(nil)

// New returns an empty Tags pane; with a nil changer the keys that change
// tags say why they cannot.
func New(src Source, changer Changer, styles *theme.Styles) *Model {
	return &Model{keys: DefaultKeyMap(), styles: styles, src: src, changer: changer, order: domain.BySemver, filter: listnav.NewFilter(), clock: time.Now}
}

// SetClock sets what the pane reads the time from (for the age of what it
// remembers).
func (m *Model) SetClock(now func() time.Time) { m.clock = now }

// Init does nothing until a repository is chosen.
func (m *Model) Init() tea.Cmd { return nil }

// Load shows a repository's tags, cancelling what the last one still had
// in flight.
func (m *Model) Load(repository string) tea.Cmd {
	m.stop()
	m.seq++
	if repository != m.repo {
		m.filter.Clear()
		m.mark = ""
		m.selection.Clear()
	}
	m.repo, m.rows, m.shown, m.index, m.shared, m.resolved = repository, nil, nil, map[string]int{}, map[string]int{}, 0
	m.knownAt, m.stale = time.Time{}, 0
	m.created, m.creating = nil, 0
	m.companions, m.kinds = nil, nil
	m.regroup()
	m.loading, m.err = true, nil
	m.cur = listnav.Cursor{Height: m.cur.Height}
	if ks, ok := m.src.(KnownSource); ok {
		seq := m.seq
		return func() tea.Msg {
			snap, ok := ks.Known(repository)
			return KnownMsg{Repository: repository, Seq: seq, Snapshot: snap, OK: ok}
		}
	}
	return loadTags(m.src, repository, m.seq)
}

// known shows what an earlier visit saw, marked with its age, and lists the
// tags afresh.
func (m *Model) known(msg KnownMsg) tea.Cmd {
	if msg.Repository != m.repo || msg.Seq != m.seq {
		return nil
	}
	if msg.OK && len(msg.Snapshot.Tags) > 0 {
		tags := m.fold(msg.Snapshot.Tags)
		m.rows = make([]row, len(tags))
		for i, t := range tags {
			m.rows[i] = row{tag: t, digest: msg.Snapshot.Digests[t]}
			m.rows[i].stale = m.rows[i].digest != ""
		}
		m.knownAt = msg.Snapshot.TagsAt
		m.countShared()
		m.sortRows()
		m.cur.Pos = m.keepPos
		m.moveTo(m.keepTag)
	}
	return loadTags(m.src, m.repo, m.seq)
}

// countShared counts the digests the rows show, and the stale ones.
func (m *Model) countShared() {
	m.shared, m.stale, m.resolved = map[string]int{}, 0, 0
	for _, r := range m.rows {
		if r.digest != "" {
			m.shared[r.digest]++
		}
		if r.stale {
			m.stale++
		}
	}
	m.regroup()
}

func (m *Model) stop() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	if m.cancelCreated != nil {
		m.cancelCreated()
		m.cancelCreated = nil
	}
	m.stopFacts()
}

func loadTags(src Source, repo string, seq int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := views.ReadContext()
		defer cancel()
		tags, err := src.Tags(ctx, repo)
		msg := LoadedMsg{Repository: repo, Seq: seq, Tags: tags, Err: err}
		if ps, ok := src.(PlaceholderSource); ok && err == nil {
			msg.Placeholders = ps.Placeholders(repo)
		}
		if ls, ok := src.(ListedSource); ok && err == nil {
			for t, ti := range ls.Listed(repo) {
				if ti.Immutable {
					if msg.Immutable == nil {
						msg.Immutable = map[string]bool{}
					}
					msg.Immutable[t] = true
				}
			}
		}
		return msg
	}
}

// ListedSource says what the repository's tag listing said of each tag
// beyond its name (registryclient.Client.Listed).
type ListedSource interface {
	Listed(repository string) map[string]domain.TagInfo
}

// PlaceholderSource knows wharf's own placeholders in a repository: the
// digests a delete cut off half way left tags on, by the journal entry
// that undoes it.
type PlaceholderSource interface {
	Placeholders(repository string) map[string]int
}

// resolveDigests starts the HEAD requests and returns the first result; each
// DigestResolvedMsg waits for the next.
func resolveDigests(ctx context.Context, src Source, repo string, seq int, tags []string) tea.Cmd {
	return func() tea.Msg {
		return views.Stream(ctx, 64, DigestResolvedMsg.withStream, func(send func(tea.Msg) bool) {
			err := src.Digests(ctx, repo, tags, func(td domain.TagDigest) {
				send(DigestResolvedMsg{Repository: repo, Seq: seq, Result: td})
			})
			send(DigestsDoneMsg{Repository: repo, Seq: seq, Err: err})
		})
	}
}

func (d DigestResolvedMsg) withStream(s <-chan tea.Msg) DigestResolvedMsg {
	d.stream = s
	return d
}

// Update handles results and, when focused, keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case views.DescribedMsg:
		m.described(msg.Details)
		return nil
	case views.ReferredMsg:
		m.referred(msg.Reference, msg.Referrers)
		return nil
	case views.JournalChangedMsg:
		return m.journalChanged(msg.Entries)
	case KnownMsg:
		return m.known(msg)
	case views.OpenRepositoryMsg:
		return m.Load(msg.Repository)
	case views.RepositoryChangedMsg:
		return m.Reload(msg.Repository)
	case views.LocalMarkedMsg:
		return m.localMarked(msg)
	case LoadedMsg:
		return m.loaded(msg)
	case FilteredMsg:
		m.filtered(msg)
		return tea.Batch(m.selected(), m.loadFacts())
	case FactsMsg:
		return m.gotFacts(msg)
	case FactsDoneMsg:
		return nil
	case DigestResolvedMsg:
		return m.digestResolved(msg)
	case DigestsDoneMsg:
		return m.digestsDone(msg)
	case CreatedMsg:
		return m.createdOne(msg)
	case CreatedDoneMsg:
		m.createdDone(msg)
	case tea.KeyPressMsg:
		return m.keyPressed(msg)
	case DeletedMsg, RetaggedMsg, CopiedMsg, UndoneMsg, UndoFoundMsg, RetentionPlannedMsg, RetainedMsg, DeletedManyMsg, CopiedManyMsg:
		return m.changed(msg)
	}
	return nil
}

// loaded takes a listing of the repository shown (a stale one is dropped).
func (m *Model) loaded(msg LoadedMsg) tea.Cmd {
	if msg.Repository != m.repo || msg.Seq != m.seq {
		return nil
	}
	m.loading, m.err = false, msg.Err
	if msg.Err != nil {
		return views.Failed(msg.Err)
	}
	m.placeholders = msg.Placeholders
	m.immutable = msg.Immutable
	// Rows shown from an earlier visit keep their digests, marked stale,
	// until the registry answers for them; the cursor keeps its tag.
	prev := make(map[string]string, len(m.rows))
	for _, r := range m.rows {
		prev[r.tag] = r.digest
	}
	if cur, ok := m.current(); ok && m.keepTag == "" {
		m.keepTag, m.keepPos = cur.tag, m.cur.Pos
	}
	tags := m.fold(msg.Tags)
	m.rows = make([]row, len(tags))
	for i, t := range tags {
		m.rows[i] = row{tag: t, digest: prev[t], stale: prev[t] != ""}
	}
	m.countShared()
	m.sortRows()
	m.selection.Keep(func(t string) bool { _, ok := m.index[t]; return ok })
	// After a change, the cursor stays on its tag, or where it was (on
	// the tag that took its place), and says so unless the pane's own
	// delete took it.
	m.cur.Pos = m.keepPos
	var gone tea.Cmd
	if kept := m.keepTag; !m.moveTo(kept) && kept != m.deleted {
		if r, ok := m.current(); ok {
			gone = status(m.repo + ":" + kept + " is gone from the registry; the cursor is on " + r.tag)
		}
	}
	m.keepTag, m.keepPos, m.deleted = "", 0, ""
	ctx, cancel := views.ReadContext()
	m.cancel = cancel
	return tea.Batch(gone, resolveDigests(ctx, m.src, m.repo, m.seq, m.resolveOrder()))
}

// digestResolved takes one tag's digest; groups form as they arrive.
func (m *Model) digestResolved(msg DigestResolvedMsg) tea.Cmd {
	if msg.Repository != m.repo || msg.Seq != m.seq {
		return nil
	}
	if i, ok := m.index[msg.Result.Tag]; ok {
		r := &m.rows[i]
		changed := r.digest != msg.Result.Digest
		if r.stale {
			m.stale--
			if changed {
				m.unshare(r.digest)
			}
		}
		if !r.stale || changed {
			if msg.Result.Digest != "" {
				m.shared[msg.Result.Digest]++
			}
		}
		r.digest, r.err, r.stale = msg.Result.Digest, msg.Result.Err, false
		m.resolved++
		if changed {
			// Groups form as digests arrive: the cursor keeps its tag.
			cur, _ := m.current()
			m.regroup()
			if m.grouped {
				m.moveTo(cur.tag)
			}
		}
	}
	return views.WaitNext(msg.stream, DigestResolvedMsg.withStream)
}

// digestsDone ends the digests' stream; the facts (and creation times,
// sorted by them) are read next.
func (m *Model) digestsDone(msg DigestsDoneMsg) tea.Cmd {
	if msg.Repository == m.repo && msg.Seq == m.seq {
		m.stop()
		if msg.Err != nil && m.err == nil {
			m.err = msg.Err
		}
		if m.order == domain.ByCreated {
			return tea.Batch(m.loadCreated(), m.loadFacts())
		}
		return m.loadFacts()
	}
	return nil
}

// createdOne takes one image's creation time.
func (m *Model) createdOne(msg CreatedMsg) tea.Cmd {
	if msg.Repository != m.repo || msg.Seq != m.seq {
		return nil
	}
	m.created[msg.Digest] = msg.Created
	m.creating = max(m.creating-1, 0)
	// Re-sorting 10,000 rows per answer would be waste: every 50, and at
	// the end.
	if m.creating%50 == 0 {
		m.resort()
	}
	return views.WaitNext(msg.stream, CreatedMsg.withStream)
}

// createdDone ends the creation times' stream and sorts by them.
func (m *Model) createdDone(msg CreatedDoneMsg) {
	if msg.Repository == m.repo && msg.Seq == m.seq {
		if m.cancelCreated != nil {
			m.cancelCreated()
			m.cancelCreated = nil
		}
		m.creating = 0
		m.resort()
	}
}

// keyPressed is a key for the pane: the filter's, the selection's, a
// move, or an action.
func (m *Model) keyPressed(msg tea.KeyPressMsg) tea.Cmd {
	if !m.focused {
		return nil
	}
	if m.filter.Typing || key.Matches(msg, m.filter.Keys.Start) {
		return m.filterKey(msg)
	}
	if ok, cmd := m.selectKey(msg); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, m.keys.Group):
		m.toggleGrouped()
	case key.Matches(msg, m.keys.Mark):
		return m.markOrCompare()
	case key.Matches(msg, m.keys.CopyPull):
		return m.copyPull()
	case key.Matches(msg, m.keys.Reload):
		return tea.Batch(status("asking "+m.repo+" again…"), m.reloadRepo(m.repo, ""))
	case key.Matches(msg, m.keys.Pull) && m.selection.Len() > 0:
		return m.pullSelected()
	case key.Matches(msg, m.keys.Pull):
		if r, ok := m.current(); ok {
			ref := m.repo + ":" + r.tag
			pullCmd := func() tea.Msg { return views.PullRequestMsg{Reference: ref} }
			if ps, index := m.indexes[r.digest]; index {
				return tea.Batch(pullCmd, views.Status(fmt.Sprintf("%s is an index of %d platforms: the engine pulls the one it runs on", ref, len(ps))))
			}
			return pullCmd
		}
	case m.cur.Handle(m.keys.Nav, msg):
		return tea.Batch(m.selected(), m.loadFacts())
	case key.Matches(msg, m.keys.Open):
		return m.open()
	case key.Matches(msg, m.keys.Sort):
		return m.cycleOrder()
	default:
		return m.changeKey(msg)
	}
	return nil
}

// unshare takes one tag off a digest's count.
func (m *Model) unshare(digest string) {
	if digest == "" {
		return
	}
	if m.shared[digest]--; m.shared[digest] <= 0 {
		delete(m.shared, digest)
	}
}

// sortRows orders the rows by m.order and rebuilds the tag index; digests
// stay with their tags.
func (m *Model) sortRows() {
	names := make([]string, len(m.rows))
	byTag := make(map[string]row, len(m.rows))
	for i, r := range m.rows {
		names[i], byTag[r.tag] = r.tag, r
	}
	if m.order == domain.ByCreated {
		byTagTime := make(map[string]time.Time, len(m.rows))
		for _, r := range m.rows {
			if t, ok := m.created[r.digest]; ok && !t.IsZero() {
				byTagTime[r.tag] = t
			}
		}
		domain.SortTagsByCreated(names, byTagTime)
	} else {
		domain.SortTags(names, m.order)
	}
	m.index = make(map[string]int, len(names))
	for i, n := range names {
		m.rows[i] = byTag[n]
		m.index[n] = i
	}
	m.rowsGen++
	m.names, m.lower = nil, nil
	m.refilter()
}

// cycleOrder switches semver → name → created (when the source knows
// creation times) → semver, keeping the cursor on the same tag.
func (m *Model) cycleOrder() tea.Cmd {
	_, knowsCreated := m.src.(CreatedSource)
	switch {
	case m.order == domain.BySemver:
		m.order = domain.ByName
	case m.order == domain.ByName && knowsCreated:
		m.order = domain.ByCreated
	default:
		m.order = domain.BySemver
	}
	m.resort()
	if m.order == domain.ByCreated {
		return m.loadCreated()
	}
	return nil
}

// resort sorts again, keeping the cursor on its tag.
func (m *Model) resort() {
	cur, _ := m.current()
	m.sortRows()
	m.moveTo(cur.tag)
}

func (m *Model) selected() tea.Cmd {
	r, ok := m.current()
	if !ok {
		return nil
	}
	ref := m.repo + ":" + r.tag
	return func() tea.Msg { return SelectedMsg{Reference: ref} }
}

// open is selected with Details asked to show.
func (m *Model) open() tea.Cmd {
	r, ok := m.current()
	if !ok {
		return nil
	}
	ref := m.repo + ":" + r.tag
	return func() tea.Msg { return SelectedMsg{Reference: ref, Open: true} }
}

// markOrCompare marks the tag under the cursor, or — with one marked —
// asks to compare the two; c on the marked tag unmarks it.
func (m *Model) markOrCompare() tea.Cmd {
	r, ok := m.current()
	switch {
	case !ok:
		return nil
	case m.localMark != "":
		// A local image was marked (c in Local): compare it with this tag.
		msg := CompareMsg{A: m.localMark, B: m.repo + ":" + r.tag, Local: "a", LocalName: m.localName}
		m.localMark, m.localName = "", ""
		return func() tea.Msg { return msg }
	case m.mark == r.tag:
		m.mark = ""
		return nil
	case m.mark == "":
		m.mark = r.tag
		return func() tea.Msg { return views.StatusMsg{Text: "marked " + r.tag + ": c on another tag compares them"} }
	}
	a, b := m.repo+":"+m.mark, m.repo+":"+r.tag
	m.mark = ""
	return func() tea.Msg { return CompareMsg{A: a, B: b} }
}

// Offline reports whether the rows are what an earlier visit saw because
// the registry did not answer now.
func (m *Model) Offline() bool { return !m.knownAt.IsZero() && m.err != nil && len(m.rows) > 0 }

// copyPull puts `docker pull` of the tag under the cursor on the
// clipboard (OSC 52, which works over ssh too): name:tag@digest when the
// digest is known, so it pulls exactly the image shown.
//
// Y again on the same tag copies the digest reference (name@digest), then
// the reference (name:tag), then the pull command again.
func (m *Model) copyPull() tea.Cmd {
	r, ok := m.current()
	if !ok {
		return nil
	}
	pinned := r.digest != "" && !r.stale
	step := 0
	if m.copied == m.repo+":"+r.tag {
		step = (m.copyStep + 1) % 3
	}
	if step == 1 && !pinned {
		step = 2 // no digest to copy yet
	}
	m.copied, m.copyStep = m.repo+":"+r.tag, step
	var text, next string
	switch step {
	case 0:
		text, next = "docker pull "+m.repo+":"+r.tag, "digest reference"
		if pinned {
			text += "@" + r.digest
		}
	case 1:
		text, next = m.repo+"@"+r.digest, "reference"
	default:
		text, next = m.repo+":"+r.tag, "pull command"
	}
	return tea.Batch(tea.SetClipboard(text), status("copied: "+text+" (Y again: "+next+")"))
}

// MarkLocal makes the next c compare a local image (by ID; name is what the
// user knows it by) with the tag under the cursor.
func (m *Model) MarkLocal(id, name string) { m.localMark, m.localName, m.mark = id, name, "" }

// localMarked is c on a local image: with a tag marked here, the two are
// compared (the Details pane is asked); else the image waits for c here.
func (m *Model) localMarked(msg views.LocalMarkedMsg) tea.Cmd {
	if ref := m.TakeMark(); ref != "" {
		req := views.CompareLocalRequestMsg{Local: msg.Image, Name: msg.Name, Remote: ref, FromLocal: true}
		return func() tea.Msg { return req }
	}
	m.MarkLocal(msg.Image, msg.Name)
	return status("marked local " + msg.Name + ": c on a tag in Tags compares them")
}

// TakeMark returns the marked tag's reference and clears the mark ("" when
// none is marked): a local image's c compares with it.
func (m *Model) TakeMark() string {
	if m.mark == "" || m.repo == "" {
		return ""
	}
	ref := m.repo + ":" + m.mark
	m.mark = ""
	return ref
}

// resolveOrder is the order to resolve the tags in: the rows on screen
// first (the registry's list order is not the screen's), then the others
// as they are listed.
func (m *Model) resolveOrder() []string {
	out := make([]string, 0, len(m.rows))
	seen := make([]bool, len(m.rows))
	from, to := m.cur.Visible()
	for k := from; k < to && k < len(m.shown); k++ {
		i := m.shown[k]
		out, seen[i] = append(out, m.rows[i].tag), true
	}
	for i, r := range m.rows {
		if !seen[i] {
			out = append(out, r.tag)
		}
	}
	return out
}

// Images is the number of distinct digests resolved so far.
func (m *Model) Images() int { return len(m.shared) }

// SetSize sets the inner size of the pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	lines := 2 // title and column header
	if m.filter.Active() {
		lines++
	}
	m.cur.SetHeight(h - lines)
}

// SetFocused marks the pane as the one keys go to.
func (m *Model) SetFocused(f bool) { m.focused = f }

// Title is the pane's title line: what the tags are and how they show
// (the panel's breadcrumb names the registry and repository).
func (m *Model) Title() string {
	known := ""
	if !m.knownAt.IsZero() && m.stale > 0 {
		known = " · cached " + domain.HumanAge(m.clock().Sub(m.knownAt)) + " ago"
	}
	switch {
	case m.repo == "":
		return "Tags"
	case m.loading && len(m.rows) > 0:
		return fmt.Sprintf("%s%s · listing…", plural(len(m.rows), "tag"), known)
	case m.loading:
		return "loading tags…"
	case m.err != nil && len(m.rows) == 0:
		return "Tags"
	case m.err != nil && known != "":
		return fmt.Sprintf("%s · offline%s", plural(len(m.rows), "tag"), known)
	case m.resolved < len(m.rows):
		return fmt.Sprintf("%s · digests %d/%d%s", plural(len(m.rows), "tag"), m.resolved, len(m.rows), known)
	}
	view := "by " + string(m.order)
	if m.creating > 0 {
		view += fmt.Sprintf(" (%d to go)", m.creating)
	}
	if m.grouped {
		view = "grouped by image"
	}
	if n := m.folded(); n > 0 {
		view += fmt.Sprintf(" · %d signatures folded", n)
	}
	if n := m.selection.Len(); n > 0 {
		view += fmt.Sprintf(" · %d selected", n)
	}
	if m.allImmutable() {
		view += " · tags immutable"
	}
	return fmt.Sprintf("%s · %s · %s", plural(len(m.rows), "tag"), plural(len(m.shared), "image"), view)
}

const digestWidth = 12

// View renders the table.
func (m *Model) View() string {
	title := m.styles.Title
	if m.focused {
		title = m.styles.FocusedTitle
	}
	lines := []string{title.Render(listnav.Truncate(m.Title(), m.width))}
	switch {
	case m.repo == "":
		lines = append(lines, m.styles.Muted.Render("choose a repository"))
		return strings.Join(lines, "\n")
	case m.err != nil && !m.knownAt.IsZero() && len(m.rows) > 0:
		// Offline with the remembered tags: the title says so, the status
		// bar and the errors page say why.
	case m.err != nil:
		lines = append(lines, m.styles.Danger.Render(listnav.Wrap(m.err.Error(), m.width)))
	case !m.loading && len(m.rows) == 0:
		lines = append(lines, m.styles.Muted.Render("no tags"))
	}
	if len(m.rows) == 0 {
		return strings.Join(lines, "\n")
	}
	if m.filter.Active() {
		lines = append(lines, m.styles.Label.Render(m.filter.Line(len(m.shown), len(m.rows), m.width)))
	}
	if m.grouped {
		lines = append(lines, m.styles.Muted.Render(listnav.Truncate(fmt.Sprintf("%-*s %-5s %s", digestWidth, "DIGEST", "SAME", "TAGS"), m.width)))
		return strings.Join(append(lines, m.groupLines()...), "\n")
	}
	badgeW := m.badgeWidth()
	// SAME is as wide as its widest count ("= 10001").
	sameW := 5
	for _, n := range m.shared {
		if n > 1 {
			sameW = max(sameW, len(fmt.Sprintf("= %d", n)))
		}
	}
	cols := m.factColumns(m.width - digestWidth - 3 - sameW - badgeW - minTagWidth)
	factsW := 0
	for _, c := range cols {
		factsW += c.Width + 1
	}
	tagWidth := max(m.width-digestWidth-3-sameW-badgeW-factsW, 8)
	head := fmt.Sprintf("%-*s %-*s %-*s", tagWidth, "TAG", digestWidth, "DIGEST", sameW, "SAME")
	for _, c := range cols {
		head += " " + c.Align(c.Head)
	}
	if badgeW > 0 {
		head += " " + m.badgeHeader()
	}
	lines = append(lines, m.styles.Muted.Render(listnav.Truncate(strings.TrimRight(head, " "), m.width)))
	from, to := m.cur.Visible()
	for i := from; i < to; i++ {
		r := m.rows[m.shown[i]]
		name := r.tag
		switch {
		case m.selection.Has(r.tag) && r.tag == m.mark:
			name = "+* " + name
		case m.selection.Has(r.tag):
			name = "+ " + name
		case r.tag == m.mark:
			name = "* " + name
		}
		tag := listnav.Pad(listnav.Truncate(name, tagWidth), tagWidth)
		if i == m.cur.Pos && m.focused {
			tag = m.styles.Selected.Render(tag)
		} else if i == m.cur.Pos {
			tag = m.styles.Label.Render(tag)
		}
		var digest, same string
		badge := m.rowBadge(r)
		switch {
		case r.err != nil:
			digest = m.styles.Danger.Render(listnav.Pad("error", digestWidth))
		case r.digest == "":
			digest = m.styles.Muted.Render(listnav.Pad("…", digestWidth))
		default:
			marker := m.styles.Marker(r.digest)
			digest = marker.Render(domain.ShortDigest(r.digest))
			if n := m.shared[r.digest]; n > 1 {
				same = fmt.Sprintf("= %d", n)
			}
		}
		line := tag + " " + digest + " " + sameMark(m, r.digest, same)
		if len(cols) > 0 {
			line += strings.Repeat(" ", max(sameW-len(same), 0))
			f, known := m.facts[r.digest]
			for _, c := range cols {
				cell := ""
				if known {
					cell = listnav.Truncate(c.cell(m, f), c.Width)
				}
				line += " " + c.Align(cell)
			}
			same = strings.Repeat(" ", sameW) // the badge's padding is done
		}
		if id, ok := m.placeholders[r.digest]; ok && r.digest != "" {
			// Not an image: a delete cut off half way, which
			// `wharf undo N` (or u here) puts back.
			line = tag + " " + m.styles.Danger.Render(listnav.Pad("placeholder", digestWidth)+" "+fmt.Sprintf("undo %d", id))
		} else if badge != "" {
			line += strings.Repeat(" ", max(sameW-len(same), 0)+1) + m.styles.Label.Render(badge)
		}
		// Never wider than the pane: a wide badge is cut, not wrapped.
		lines = append(lines, listnav.Truncate(line, m.width))
	}
	return strings.Join(lines, "\n")
}

// sameMark renders the SAME count in the digest's colour.
func sameMark(m *Model, digest, s string) string {
	if s == "" {
		return ""
	}
	return m.styles.Marker(digest).Render(s)
}

// ShortHelp is the key hint.
func (m *Model) ShortHelp() []key.Binding {
	if m.filter.Typing {
		return []key.Binding{m.filter.Keys.Done, m.filter.Keys.Clear}
	}
	return []key.Binding{m.keys.Open, m.filter.Keys.Start, m.keys.Delete, m.keys.Undo}
}

// FullHelp is the pane's section of the help page (movement keys are listed
// once, by the root).
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Open, m.filter.Keys.Start, m.keys.Sort, m.keys.Group, m.keys.Mark, m.keys.Select, m.keys.CopyPull, m.keys.Pull, m.keys.Retag, m.keys.Copy, m.keys.Delete, m.keys.Undo, m.keys.Retain}}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Click selects the row on a clicked line.
func (m *Model) Click(line int) tea.Cmd {
	first := 2 // title and column header
	if m.filter.Active() {
		first++
	}
	if m.cur.Click(line, first) {
		return m.selected()
	}
	return nil
}

// Repository is the repository whose tags the pane shows (host/path), ""
// before one was chosen.
func (m *Model) Repository() string { return m.repo }

// Keys are the pane's keys, for the user's bindings to change.
func (m *Model) Keys() *KeyMap { return &m.keys }
