// Package details is the Details pane: what a manifest says — digest, media
// type, size, platforms of an index, created, labels, env, entrypoint and
// cmd, layers and history — read without pulling, in a scrollable viewport.
package details

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/wharf-dev/wharf/internal/domain"
	"github.com/wharf-dev/wharf/internal/filetree"
	"github.com/wharf-dev/wharf/internal/packages"
	"github.com/wharf-dev/wharf/internal/vulns"
	"github.com/wharf-dev/wharf/views"
	"github.com/wharf-dev/wharf/views/files"
	"github.com/wharf-dev/wharf/views/listnav"
	"github.com/wharf-dev/wharf/views/theme"
)

// Describer reads a manifest's details.
type Describer interface {
	Describe(ctx context.Context, reference string) (domain.Details, error)
}

// ReferrerLister lists the signatures, attestations and SBOMs that refer
// to a remote image (referrers API and cosign-style tags).
type ReferrerLister interface {
	Referrers(ctx context.Context, reference string) ([]domain.Referrer, error)
}

// Sources are where the pane reads from; any may be nil.
type Sources struct {
	Remote    Describer
	Local     Describer
	Differ    Differ
	Referrers ReferrerLister
	Platforms PlatformLister
	// LocalDiffer compares a local image with a remote tag.
	LocalDiffer LocalDiffer
	// Files reads a remote image's layers for the file tree (f);
	// LocalFiles a local image's, through the engine's export.
	Files, LocalFiles files.Source
	// Packages and LocalPackages list an image's packages (p).
	Packages, LocalPackages PackageLister
	// Vulns reads a remote image's attached vulnerability report (v).
	Vulns VulnReader
	// Deep compares two remote images' files, packages and findings (f in
	// a comparison).
	Deep DeepDiffer
}

// DeepDiffer compares two remote images beyond their manifests.
type DeepDiffer interface {
	DeepDiff(ctx context.Context, a, b string) ([]filetree.FileDiff, []packages.Change, []vulns.Change, bool, error)
}

// DeepComparedMsg carries a deeper comparison.
type DeepComparedMsg struct {
	Seq      int
	Files    []filetree.FileDiff
	Packages []packages.Change
	Vulns    []vulns.Change
	VulnsOK  bool
	Err      error
}

// VulnReader reads the vulnerability report attached to a remote image
// (ok false: none attached).
type VulnReader interface {
	Vulnerabilities(ctx context.Context, reference string) (vulns.Report, bool, error)
}

// VulnsMsg carries an image's attached vulnerability report.
type VulnsMsg struct {
	Reference string
	Seq       int
	Report    vulns.Report
	OK        bool
	Err       error
}

// PackageLister says which packages an image carries, and from where.
type PackageLister interface {
	Packages(ctx context.Context, reference string) (packages.List, error)
}

// PackagesMsg carries an image's packages.
type PackagesMsg struct {
	Reference string
	Seq       int
	List      packages.List
	Err       error
}

// LocalDiffer compares a local image with a remote reference, the local
// one first when localFirst: the same diff as between two remote tags.
type LocalDiffer interface {
	CompareRemote(ctx context.Context, local, remote string, localFirst bool) (domain.Diff, error)
}

// PlatformLister describes each platform's image of an index, with the
// layers it shares with the other platforms.
type PlatformLister interface {
	PlatformImages(ctx context.Context, reference string) ([]domain.PlatformImage, error)
}

// PlatformsLoadedMsg carries an index's platform images.
type PlatformsLoadedMsg struct {
	Reference string
	Seq       int
	Images    []domain.PlatformImage
	Err       error
}

// Differ compares two remote references.
type Differ interface {
	Diff(ctx context.Context, refA, refB string) (domain.Diff, error)
}

// KeyMap are the pane's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown key.Binding
	// Open drills into the chosen platform of an index (up/down choose it;
	// esc goes back to the index).
	Open key.Binding
	// Files opens the image's file tree, a layer at a time; Packages
	// lists its packages; Vulns summarises its attached vulnerability
	// report.
	Files, Packages, Vulns key.Binding
}

// DefaultKeyMap returns the pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "space"), key.WithHelp("pgdn", "page down")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "platform")),
		Files:    key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "files")),
		Packages: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "packages")),
		Vulns:    key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "vulns")),
	}
}

// ComparedMsg carries a comparison.
type ComparedMsg struct {
	A, B string
	Seq  int
	Diff domain.Diff
	Err  error
}

// ReferrersLoadedMsg carries what refers to the shown image.
type ReferrersLoadedMsg struct {
	Reference string
	Seq       int
	Referrers []domain.Referrer
	Err       error
}

// LoadedMsg carries a reference's details.
type LoadedMsg struct {
	Reference string
	Seq       int
	Details   domain.Details
	Err       error
}

// Model is the Details pane.
type Model struct {
	keys        KeyMap
	styles      *theme.Styles
	src         Describer
	local       Describer
	differ      Differ
	localDiffer LocalDiffer
	refs        ReferrerLister
	// referrers of the shown remote image (nil while unknown); refErr why
	// they could not be listed.
	referrers []domain.Referrer
	refErr    error
	// platform is the chosen platform of a shown index; parent the index
	// a platform was opened from.
	platform int
	parent   string
	// platforms describes an index's platform images; images are theirs
	// (nil while unknown), imagesErr why they could not be described.
	platforms PlatformLister
	images    []domain.PlatformImage
	imagesErr error
	// diff is shown instead of details while a comparison is open.
	diff    *domain.Diff
	isLocal bool
	ref     string
	details *domain.Details
	loading bool
	err     error
	seq     int
	vp      viewport.Model
	width   int
	height  int
	focused bool
	// files is the file tree while it is open (f); filesSrc reads it.
	files                   *files.Model
	filesSrc, localFilesSrc files.Source
	// pkgs are the packages shown instead of the details (p), once read;
	// pkgsOpen while they are asked for or shown.
	pkgs                  *packages.List
	pkgsErr               error
	pkgsOpen              bool
	pkgsSrc, localPkgsSrc PackageLister
	// vulns is the attached report shown instead of the details (v).
	vulnsOpen bool
	vulnsMsg  *VulnsMsg
	vulnsSrc  VulnReader
	// deep is the deeper comparison under the diff, once asked for (f);
	// deepAsked while it is being read.
	deep      *DeepComparedMsg
	deepAsked bool
	deepSrc   DeepDiffer
}

var _ views.Component = (*Model)(nil)

// New returns an empty Details pane over its sources.
func New(s Sources, styles *theme.Styles) *Model {
	return &Model{keys: DefaultKeyMap(), styles: styles, src: s.Remote, local: s.Local, differ: s.Differ, localDiffer: s.LocalDiffer, refs: s.Referrers, platforms: s.Platforms, filesSrc: s.Files, localFilesSrc: s.LocalFiles, pkgsSrc: s.Packages, localPkgsSrc: s.LocalPackages, vulnsSrc: s.Vulns, deepSrc: s.Deep, vp: viewport.New()}
}

// Compare shows what differs between two remote references.
func (m *Model) Compare(a, b string) tea.Cmd {
	if m.differ == nil {
		return func() tea.Msg { return views.StatusMsg{Err: errNoDiffer} }
	}
	m.seq++
	m.closeFiles()
	m.pkgsOpen, m.pkgs = false, nil
	m.vulnsOpen, m.vulnsMsg = false, nil
	m.deep, m.deepAsked = nil, false
	m.ref, m.isLocal, m.details, m.diff, m.loading, m.err = a+" ↔ "+b, false, nil, nil, true, nil
	m.render()
	m.vp.GotoTop()
	differ, seq := m.differ, m.seq
	return func() tea.Msg {
		ctx, cancel := views.ReadContext()
		defer cancel()
		d, err := differ.Diff(ctx, a, b)
		return ComparedMsg{A: a, B: b, Seq: seq, Diff: d, Err: err}
	}
}

// CompareLocal compares a local image (ID, shown as name) with a remote
// reference, the local one first when localFirst.
func (m *Model) CompareLocal(local, name, remote string, localFirst bool) tea.Cmd {
	if m.localDiffer == nil {
		return func() tea.Msg { return views.StatusMsg{Err: errNoDiffer} }
	}
	m.seq++
	a, b := "local "+name, remote
	if !localFirst {
		a, b = remote, "local "+name
	}
	m.closeFiles()
	m.pkgsOpen, m.pkgs = false, nil
	m.vulnsOpen, m.vulnsMsg = false, nil
	m.deep, m.deepAsked = nil, false
	m.ref, m.isLocal, m.details, m.diff, m.loading, m.err = a+" ↔ "+b, false, nil, nil, true, nil
	m.render()
	m.vp.GotoTop()
	differ, seq := m.localDiffer, m.seq
	return func() tea.Msg {
		ctx, cancel := views.ReadContext()
		defer cancel()
		d, err := differ.CompareRemote(ctx, local, remote, localFirst)
		return ComparedMsg{A: a, B: b, Seq: seq, Diff: d, Err: err}
	}
}

// Init does nothing until a reference is chosen.
func (m *Model) Init() tea.Cmd { return nil }

// Load shows a remote reference's details.
func (m *Model) Load(reference string) tea.Cmd {
	m.parent = ""
	return m.load(reference, false)
}

// LoadLocal shows a local image's details (by ID or reference).
func (m *Model) LoadLocal(ref string) tea.Cmd {
	m.parent = ""
	return m.load(ref, true)
}

func (m *Model) load(reference string, isLocal bool) tea.Cmd {
	if reference == m.ref && isLocal == m.isLocal && (m.loading || m.details != nil) {
		return nil
	}
	m.closeFiles()
	m.pkgsOpen, m.pkgs = false, nil
	m.vulnsOpen, m.vulnsMsg = false, nil
	m.deep, m.deepAsked = nil, false
	src := m.src
	if isLocal {
		src = m.local
	}
	if src == nil {
		return nil
	}
	m.seq++
	m.ref, m.isLocal, m.details, m.diff, m.loading, m.err = reference, isLocal, nil, nil, true, nil
	m.referrers, m.refErr, m.platform = nil, nil, 0
	m.images, m.imagesErr = nil, nil
	m.render()
	m.vp.GotoTop()
	return describe(src, reference, m.seq)
}

func describe(src Describer, ref string, seq int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := views.ReadContext()
		defer cancel()
		d, err := src.Describe(ctx, ref)
		return LoadedMsg{Reference: ref, Seq: seq, Details: d, Err: err}
	}
}

// Update handles results and, when focused, scroll keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case views.ShowMsg:
		if msg.Local {
			return m.LoadLocal(msg.Reference)
		}
		return m.Load(msg.Reference)
	case views.CompareRequestMsg:
		return m.Compare(msg.A, msg.B)
	case views.CompareLocalRequestMsg:
		return m.CompareLocal(msg.Local, msg.Name, msg.Remote, msg.LocalFirst)
	case LoadedMsg:
		if msg.Reference != m.ref || msg.Seq != m.seq {
			return nil
		}
		m.loading, m.err = false, msg.Err
		if msg.Err == nil {
			m.details = &msg.Details
		}
		m.render()
		if msg.Err != nil {
			return views.Failed(msg.Err)
		}
		if m.isLocal {
			return nil
		}
		// What the manifest says (an index's platforms) is news for the
		// other panes too.
		d := msg.Details
		cmds := []tea.Cmd{func() tea.Msg { return views.DescribedMsg{Details: d} }}
		if m.refs != nil {
			cmds = append(cmds, listReferrers(m.refs, msg.Reference, m.seq))
		}
		if m.platforms != nil && msg.Details.IsIndex() {
			cmds = append(cmds, listPlatforms(m.platforms, msg.Reference, m.seq))
		}
		return tea.Batch(cmds...)
	case PlatformsLoadedMsg:
		if msg.Reference != m.ref || msg.Seq != m.seq {
			return nil
		}
		m.images, m.imagesErr = msg.Images, msg.Err
		m.render()
	case ReferrersLoadedMsg:
		if msg.Reference != m.ref || msg.Seq != m.seq {
			return nil
		}
		m.referrers, m.refErr = msg.Referrers, msg.Err
		if m.referrers == nil {
			m.referrers = []domain.Referrer{}
		}
		m.render()
		if msg.Err == nil {
			ref, refs := msg.Reference, msg.Referrers
			return func() tea.Msg { return views.ReferredMsg{Reference: ref, Referrers: refs} }
		}
	case ComparedMsg:
		if msg.Seq != m.seq {
			return nil
		}
		m.loading, m.err = false, msg.Err
		if msg.Err == nil {
			m.diff = &msg.Diff
		}
		m.render()
	case DeepComparedMsg:
		if msg.Seq != m.seq || m.diff == nil {
			return nil
		}
		m.deep, m.deepAsked = &msg, false
		m.render()
		if msg.Err != nil {
			return views.Failed(msg.Err)
		}
	case VulnsMsg:
		if msg.Reference != m.ref || msg.Seq != m.seq || !m.vulnsOpen {
			return nil
		}
		m.vulnsMsg = &msg
		m.render()
		if msg.Err != nil {
			return views.Failed(msg.Err)
		}
	case PackagesMsg:
		if msg.Reference != m.ref || msg.Seq != m.seq || !m.pkgsOpen {
			return nil
		}
		m.pkgs, m.pkgsErr = &msg.List, msg.Err
		m.render()
		if msg.Err != nil {
			return views.Failed(msg.Err)
		}
	case files.LayerMsg, files.ProgressMsg, files.DoneMsg:
		if m.files != nil {
			return m.files.Update(msg)
		}
	case tea.KeyPressMsg:
		if !m.focused {
			return nil
		}
		if m.files != nil {
			return m.files.Update(msg)
		}
		if key.Matches(msg, m.keys.Files) && m.diff != nil {
			return m.compareDeeper()
		}
		if key.Matches(msg, m.keys.Files) {
			return m.openFiles()
		}
		if key.Matches(msg, m.keys.Packages) && !m.pkgsOpen && !m.vulnsOpen {
			return m.openPackages()
		}
		if key.Matches(msg, m.keys.Vulns) && !m.pkgsOpen && !m.vulnsOpen {
			return m.openVulns()
		}
		if m.details != nil && m.details.IsIndex() && m.diff == nil {
			if cmd, ok := m.platformKey(msg); ok {
				return cmd
			}
		}
		switch {
		case key.Matches(msg, m.keys.Up):
			m.vp.ScrollUp(1)
		case key.Matches(msg, m.keys.Down):
			m.vp.ScrollDown(1)
		case key.Matches(msg, m.keys.PageUp):
			m.vp.PageUp()
		case key.Matches(msg, m.keys.PageDown):
			m.vp.PageDown()
		}
	}
	return nil
}

func (m *Model) render() {
	var b strings.Builder
	label := func(name, value string) {
		fmt.Fprintf(&b, "%s %s\n", m.styles.Label.Render(fmt.Sprintf("%-11s", name)), value)
	}
	switch {
	case m.ref == "":
		b.WriteString(m.styles.Muted.Render("choose a tag"))
	case m.pkgsOpen:
		m.renderPackages(&b)
	case m.vulnsOpen:
		m.renderVulns(&b)
	case m.loading:
		b.WriteString(m.styles.Muted.Render("reading " + m.ref + "…"))
	case m.err != nil:
		// Wrapped, not cut: the reason must be read whole.
		for _, l := range strings.Split(listnav.Wrap(m.err.Error(), max(m.width, 20)), "\n") {
			b.WriteString(m.styles.Danger.Render(l) + "\n")
		}
	case m.diff != nil:
		m.renderDiff(&b, *m.diff)
		m.renderDeep(&b)
	default:
		d := m.details
		if d.ID != "" {
			label("image ID", m.styles.Marker(d.ID).Render(d.ID))
			if len(d.RepoTags) > 0 {
				label("tags", strings.Join(d.RepoTags, ", "))
			} else {
				label("tags", m.styles.Muted.Render("none"))
			}
			for _, rd := range d.RepoDigests {
				// Short, so that whether the registry still has it shows.
				shown := rd
				if name, dg, ok := strings.Cut(rd, "@"); ok {
					shown = name + "@" + domain.ShortDigest(dg)
				}
				if d.Local != nil && d.Local.RepoDigests[rd] != "" {
					shown += m.styles.Muted.Render("  " + d.Local.RepoDigests[rd])
				}
				label("repo digest", shown)
			}
		}
		if d.Digest != "" {
			label("digest", m.styles.Marker(d.Digest).Render(d.Digest))
		}
		if d.MediaType != "" {
			label("media type", d.MediaType)
		}
		size := domain.HumanSize(d.Size)
		if d.Local != nil && d.Local.SharedSize >= 0 {
			size += m.styles.Muted.Render(fmt.Sprintf("  (%s shared with other images; removing it frees %s)", domain.HumanSize(d.Local.SharedSize), domain.HumanSize(d.Size-d.Local.SharedSize)))
		}
		label("size", size)
		for _, n := range d.Notes {
			for _, l := range strings.Split(listnav.Wrap(n, max(m.width, 20)), "\n") {
				b.WriteString(m.styles.Danger.Render(l) + "\n")
			}
		}
		if d.IsIndex() {
			m.renderPlatforms(&b, d)
			m.renderReferrers(&b)
			break
		}
		if d.IsArtifact() {
			m.renderArtifact(&b, *d, label)
			m.renderReferrers(&b)
			break
		}
		created := "—" // unknown: the image was made without a time
		if !d.Created.IsZero() {
			created = d.Created.UTC().Format("2006-01-02 15:04:05 UTC")
		}
		label("created", created)
		if p := d.PlatformString(); p != "" {
			label("platform", p)
		}
		if m.parent != "" {
			b.WriteString(m.styles.Muted.Render("one platform's image of "+m.parent+" (esc goes back): by this digest, copy, delete and pull act on this platform alone") + "\n")
		}
		if d.Local != nil && d.Local.Parent != "" {
			label("parent", domain.ShortDigest(d.Local.Parent))
		}
		if len(d.Entrypoint) > 0 {
			label("entrypoint", strings.Join(d.Entrypoint, " "))
		}
		if len(d.Cmd) > 0 {
			label("cmd", strings.Join(d.Cmd, " "))
		}
		if d.User != "" {
			label("user", d.User)
		}
		if d.WorkingDir != "" {
			label("workdir", d.WorkingDir)
		}
		if len(d.ExposedPorts) > 0 {
			label("ports", strings.Join(d.ExposedPorts, ", "))
		}
		if len(d.Volumes) > 0 {
			label("volumes", strings.Join(d.Volumes, ", "))
		}
		if d.Local != nil {
			m.renderContainers(&b, d.Local.Containers)
		}
		if len(d.Env) > 0 {
			b.WriteString(m.styles.Label.Render("env") + "\n")
			for _, e := range d.Env {
				fmt.Fprintf(&b, "  %s\n", e)
			}
		}
		if len(d.Labels) > 0 {
			b.WriteString(m.styles.Label.Render("labels") + "\n")
			keys := make([]string, 0, len(d.Labels))
			for k := range d.Labels {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(&b, "  %s=%s\n", k, d.Labels[k])
			}
		}
		layers := "layers (%d)"
		if d.Local != nil {
			layers = "layers (%d, uncompressed)"
		}
		b.WriteString(m.styles.Label.Render(fmt.Sprintf(layers, len(d.Layers))) + "\n")
		if len(d.Layers) == 0 {
			b.WriteString(m.styles.Muted.Render("  none") + "\n")
		}
		for _, l := range d.Layers {
			if d.Local != nil && !d.Local.LayerSizes { // the engine sized its steps, not its layers
				fmt.Fprintf(&b, "  %s  %8s\n", domain.ShortDigest(l.Digest), "?")
				continue
			}
			fmt.Fprintf(&b, "  %s  %8s\n", domain.ShortDigest(l.Digest), domain.HumanSize(l.Size))
		}
		m.renderHistory(&b, d)
		if !m.isLocal {
			m.renderReferrers(&b)
		}
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = listnav.Truncate(l, m.width)
	}
	m.vp.SetContentLines(lines)
}

// renderContainers lists the containers that use a local image.
func (m *Model) renderContainers(b *strings.Builder, cs []domain.ContainerUse) {
	b.WriteString(m.styles.Label.Render(fmt.Sprintf("containers (%d)", len(cs))) + "\n")
	if len(cs) == 0 {
		b.WriteString(m.styles.Muted.Render("  none: removing the image stops nothing") + "\n")
	}
	for _, c := range cs {
		fmt.Fprintf(b, "  %s  %s\n", c.Name, m.styles.Muted.Render(c.State))
	}
}

// renderHistory lists the image's steps, oldest first: for a local image
// with when, the size each added and its comment, as docker history.
func (m *Model) renderHistory(b *strings.Builder, d *domain.Details) {
	b.WriteString(m.styles.Label.Render("history") + "\n")
	if len(d.History) == 0 {
		b.WriteString(m.styles.Muted.Render("  no history recorded") + "\n")
		return
	}
	for _, h := range d.History {
		mark := "  "
		if h.EmptyLayer {
			mark = m.styles.Muted.Render("· ")
		}
		line := h.CreatedBy
		if d.Local != nil {
			when := "—"
			if !h.Created.IsZero() {
				when = h.Created.UTC().Format("2006-01-02")
			}
			size := ""
			if !h.EmptyLayer {
				size = domain.HumanSize(h.Size)
			}
			line = fmt.Sprintf("%-10s %8s  %s", when, size, h.CreatedBy)
			if h.Comment != "" {
				line += m.styles.Muted.Render("  # " + h.Comment)
			}
		}
		fmt.Fprintf(b, "%s%s\n", mark, listnav.Truncate(line, max(m.width-2, 10)))
	}
}

// renderArtifact says what a non-image manifest is and lists its files
// (no created time or platform: it has none).
func (m *Model) renderArtifact(b *strings.Builder, d domain.Details, label func(k, v string)) {
	label("artifact", domain.ArtifactLabel(d.ArtifactType))
	if d.Subject != "" {
		label("about", m.styles.Marker(d.Subject).Render(domain.ShortDigest(d.Subject)))
	}
	b.WriteString(m.styles.Label.Render(fmt.Sprintf("files (%d)", len(d.Layers))) + "\n")
	for _, l := range d.Layers {
		title := l.Title
		if title == "" {
			title = domain.ShortDigest(l.Digest)
		}
		fmt.Fprintf(b, "  %s  %8s  %s\n", title, domain.HumanSize(l.Size), m.styles.Muted.Render(l.MediaType))
	}
	if len(d.Annotations) > 0 {
		b.WriteString(m.styles.Label.Render("annotations") + "\n")
		for _, k := range slices.Sorted(maps.Keys(d.Annotations)) {
			fmt.Fprintf(b, "  %s=%s\n", k, d.Annotations[k])
		}
	}
}

// SetSize sets the inner size of the pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.files != nil {
		m.files.SetSize(w, h)
	}
	m.vp.SetWidth(w)
	m.vp.SetHeight(max(h-1, 1))
	m.render()
}

// SetFocused marks the pane as the one keys go to.
func (m *Model) SetFocused(f bool) { m.focused = f }

// View renders the title and the viewport.
func (m *Model) View() string {
	title := m.styles.Title
	if m.focused {
		title = m.styles.FocusedTitle
	}
	name := "Details"
	if m.ref != "" {
		name += " · " + m.ref
	}
	if m.files != nil {
		return m.files.View(title.Render(listnav.Truncate("Files · "+m.ref, m.width)))
	}
	return title.Render(listnav.Truncate(name, m.width)) + "\n" + m.vp.View()
}

// ShortHelp is the key hint.
func (m *Model) ShortHelp() []key.Binding {
	if m.files != nil {
		return m.files.ShortHelp()
	}
	if m.details != nil && m.details.IsIndex() {
		return []key.Binding{m.keys.Down, m.keys.Open}
	}
	return []key.Binding{m.keys.Down}
}

// FullHelp is the pane's section of the help page.
func (m *Model) FullHelp() [][]key.Binding {
	// The scroll keys as one: they are the lists' keys.
	scroll := key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"), key.WithHelp("↑↓/pgdn", "scroll"))
	return [][]key.Binding{{scroll, m.keys.Open, m.keys.Files, m.keys.Packages, m.keys.Vulns}}
}

// Subject is what the pane shows: a reference, a local image, or the two
// sides of a comparison ("" before anything was chosen).
func (m *Model) Subject() string { return m.ref }

// Keys are the pane's keys, for the user's bindings to change.
func (m *Model) Keys() *KeyMap { return &m.keys }

// openFiles opens the file tree of the remote image shown, or says why it
// cannot.
func (m *Model) openFiles() tea.Cmd {
	d := m.details
	src := m.filesSrc
	if m.isLocal {
		src = m.localFilesSrc
	}
	switch {
	case d == nil || m.diff != nil:
		return views.Status("open an image first: f shows its files")
	case src == nil:
		return views.Status("these layers cannot be read here")
	case d.IsIndex():
		return views.Status("an index has no one file system: open a platform (enter), then f")
	case d.IsArtifact():
		return views.Status("not a container image: it has no file system")
	}
	m.files = files.New(src, m.styles)
	m.files.SetSize(m.width, m.height)
	return m.files.Load(m.ref)
}

// closeFiles stops reading the file tree and closes it.
func (m *Model) closeFiles() {
	if m.files != nil {
		m.files.Stop()
		m.files = nil
	}
}

// Capturing reports whether the file tree's filter is being typed.
func (m *Model) Capturing() bool { return m.files != nil && m.files.Capturing() }

// openPackages asks which packages the image shown carries (they show
// instead of the details; esc goes back).
func (m *Model) openPackages() tea.Cmd {
	d := m.details
	src := m.pkgsSrc
	if m.isLocal {
		src = m.localPkgsSrc
	}
	switch {
	case d == nil || m.diff != nil:
		return views.Status("open an image first: p lists its packages")
	case src == nil:
		return views.Status("packages cannot be read here")
	case d.IsIndex() && m.isLocal:
		return views.Status("an index has no one file system: open a platform (enter), then p")
	case d.IsArtifact():
		return views.Status("not a container image: it has no packages")
	}
	m.pkgsOpen, m.pkgs, m.pkgsErr = true, nil, nil
	m.render()
	m.vp.GotoTop()
	ref, seq := m.ref, m.seq
	return func() tea.Msg {
		ctx, cancel := views.ReadContext()
		defer cancel()
		l, err := src.Packages(ctx, ref)
		return PackagesMsg{Reference: ref, Seq: seq, List: l, Err: err}
	}
}

// renderPackages writes the packages (or that they are being read).
func (m *Model) renderPackages(b *strings.Builder) {
	switch {
	case m.pkgsErr != nil:
		b.WriteString(m.styles.Danger.Render(listnav.Wrap(m.pkgsErr.Error(), m.width)) + "\n")
		return
	case m.pkgs == nil:
		b.WriteString(m.styles.Muted.Render("reading "+m.ref+"'s packages (its SBOM, else its layers)…") + "\n")
		return
	}
	// Where the list came from, wrapped: it says what it can be trusted for.
	b.WriteString(m.styles.Label.Render(fmt.Sprintf("packages (%d)", len(m.pkgs.Packages))) + "\n")
	for _, n := range append([]string{"from " + m.pkgs.Source}, m.pkgs.Notes...) {
		b.WriteString(m.styles.Muted.Render(listnav.Wrap(n, m.width)) + "\n")
	}
	for _, p := range m.pkgs.Packages {
		fmt.Fprintf(b, "  %-4s %s %s\n", p.Type, p.Name, m.styles.Muted.Render(p.Version))
	}
}

// openVulns asks for the vulnerability report attached to the remote image
// shown (it shows instead of the details; esc goes back).
func (m *Model) openVulns() tea.Cmd {
	switch {
	case m.details == nil || m.diff != nil:
		return views.Status("open an image first: v summarises its attached vulnerability report")
	case m.isLocal:
		return views.Status("a local image has no attached report: v reads what a pipeline attached to a remote image")
	case m.vulnsSrc == nil:
		return views.Status("attached reports cannot be read here")
	}
	m.vulnsOpen, m.vulnsMsg = true, nil
	m.render()
	m.vp.GotoTop()
	src, ref, seq := m.vulnsSrc, m.ref, m.seq
	return func() tea.Msg {
		ctx, cancel := views.ReadContext()
		defer cancel()
		r, ok, err := src.Vulnerabilities(ctx, ref)
		return VulnsMsg{Reference: ref, Seq: seq, Report: r, OK: ok, Err: err}
	}
}

// renderVulns writes the report's summary and its worst findings.
func (m *Model) renderVulns(b *strings.Builder) {
	v := m.vulnsMsg
	switch {
	case v == nil:
		b.WriteString(m.styles.Muted.Render("reading what is attached to "+m.ref+"…") + "\n")
		return
	case v.Err != nil:
		b.WriteString(m.styles.Danger.Render(listnav.Wrap(v.Err.Error(), m.width)) + "\n")
		return
	case !v.OK:
		b.WriteString(m.styles.Muted.Render(listnav.Wrap("no vulnerability report is attached (a pipeline attaches one with cosign attest --type vuln, or as a Trivy, Grype or SARIF referrer); wharf does not scan", m.width)) + "\n")
		return
	}
	r := v.Report
	b.WriteString(m.styles.Label.Render("vulnerabilities") + " " + r.Summary() + " " + m.styles.Muted.Render("("+r.Scanner+", "+r.From+")") + "\n")
	for _, f := range r.Worst(len(r.Findings)) {
		fixed := m.styles.Muted.Render("no fix known")
		if f.Fixed != "" {
			fixed = "fixed in " + f.Fixed
		}
		sev := fmt.Sprintf("%-8s", f.Severity)
		if f.Severity == "critical" || f.Severity == "high" {
			sev = m.styles.Danger.Render(sev)
		}
		fmt.Fprintf(b, "  %s %s %s %s · %s\n", sev, f.ID, f.Package, m.styles.Muted.Render(f.Installed), fixed)
	}
}

// compareDeeper reads both images' layers, packages and attached reports
// for the comparison shown (f there).
func (m *Model) compareDeeper() tea.Cmd {
	d := m.diff
	switch {
	case m.deepSrc == nil:
		return views.Status("a deeper comparison needs a registry connection")
	case d.A.Local != nil || d.B.Local != nil:
		return views.Status("files and packages compare two remote images (wharf diff --files for the CLI); this comparison has a local side")
	case d.A.IsIndex() || d.B.IsIndex():
		return views.Status("an index has no one file system: compare two platforms' images")
	case m.deepAsked || m.deep != nil:
		return nil
	}
	m.deepAsked = true
	m.render()
	src, a, b, seq := m.deepSrc, d.A.Reference, d.B.Reference, m.seq
	return func() tea.Msg {
		ctx, cancel := views.ReadContext()
		defer cancel()
		fd, pc, vc, ok, err := src.DeepDiff(ctx, a, b)
		return DeepComparedMsg{Seq: seq, Files: fd, Packages: pc, Vulns: vc, VulnsOK: ok, Err: err}
	}
}

// renderDeep writes the deeper comparison under the diff (or how to ask).
func (m *Model) renderDeep(b *strings.Builder) {
	switch {
	case m.deepAsked:
		b.WriteString(m.styles.Muted.Render("reading both images' layers, packages and reports…") + "\n")
		return
	case m.deep == nil:
		if m.deepSrc != nil && m.diff != nil && !m.diff.Same() && m.diff.A.Local == nil && m.diff.B.Local == nil {
			b.WriteString(m.styles.Muted.Render("f adds files, packages and vulnerabilities") + "\n")
		}
		return
	case m.deep.Err != nil:
		b.WriteString(m.styles.Danger.Render(listnav.Wrap(m.deep.Err.Error(), m.width)) + "\n")
		return
	}
	minus, plus, tilde := m.styles.Danger.Render("-"), m.styles.Label.Render("+"), m.styles.Label.Render("~")
	b.WriteString(m.styles.Label.Render(fmt.Sprintf("files (%d)", len(m.deep.Files))) + "\n")
	for _, f := range m.deep.Files {
		switch f.Change {
		case filetree.Added:
			fmt.Fprintf(b, "%s /%s  %s\n", plus, f.Path, domain.HumanSize(f.NewSize))
		case filetree.Removed:
			fmt.Fprintf(b, "%s /%s  %s\n", minus, f.Path, domain.HumanSize(f.OldSize))
		default:
			fmt.Fprintf(b, "%s /%s  %s → %s\n", tilde, f.Path, domain.HumanSize(f.OldSize), domain.HumanSize(f.NewSize))
		}
	}
	b.WriteString(m.styles.Label.Render(fmt.Sprintf("packages (%d)", len(m.deep.Packages))) + "\n")
	for _, p := range m.deep.Packages {
		switch p.Change {
		case "added":
			fmt.Fprintf(b, "%s %s %s\n", plus, p.Name, p.New)
		case "removed":
			fmt.Fprintf(b, "%s %s %s\n", minus, p.Name, p.Old)
		default:
			fmt.Fprintf(b, "%s %s %s → %s (%s)\n", tilde, p.Name, p.Old, p.New, p.Change)
		}
	}
	if !m.deep.VulnsOK {
		b.WriteString(m.styles.Muted.Render("vulnerabilities: not both images have a report attached") + "\n")
		return
	}
	b.WriteString(m.styles.Label.Render(fmt.Sprintf("vulnerabilities (%d)", len(m.deep.Vulns))) + "\n")
	for _, v := range m.deep.Vulns {
		sign := minus
		if v.Change == "new" {
			sign = plus
		}
		fmt.Fprintf(b, "%s %s %s %s %s (%s)\n", sign, v.Severity, v.ID, v.Package, v.Installed, v.Change)
	}
}
