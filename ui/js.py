"""Client-side behaviour of the HTML panels (``gr.HTML(js_on_load=...)``).

Only our own markup carries the ``data-*`` attributes used here; document text is
escaped before it reaches the page, so it cannot add handlers or elements.
"""

#: Source cards (chat) and result cards (search): copy a citation; open a source,
#: reported to Python as a ``select`` event whose value is "doc_id|start|end".
SOURCES_JS = r"""
function fallbackCopy(text, done) {
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  try { document.execCommand('copy'); done(); } finally { ta.remove(); }
}
element.addEventListener('click', (e) => {
  const copy = e.target.closest('.copy-btn');
  if (copy) {
    const text = copy.dataset.copy || '';
    const label = copy.textContent;
    const done = () => {
      copy.textContent = 'Đã sao chép ✓';
      copy.classList.add('copied');
      window.__lastCopied = text;
      setTimeout(() => { copy.textContent = label; copy.classList.remove('copied'); }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text, done));
    } else {
      fallbackCopy(text, done);
    }
    return;
  }
  const open = e.target.closest('.open-btn');
  if (open) {
    trigger('select', {index: Number(open.dataset.n || 0), value: open.dataset.open || ''});
  }
});
"""

#: Document viewer: in-page anchors, and scrolling to the focused paragraph whenever
#: the viewer's content changes (retrying while its tab is still being shown).
VIEWER_JS = r"""
const scrollToFocus = (tries) => {
  const f = element.querySelector('.vb-para.focus');
  if (!f) return;
  if (f.offsetParent === null) {
    if (tries > 0) setTimeout(() => scrollToFocus(tries - 1), 100);
    return;
  }
  f.scrollIntoView({block: 'center'});
};
watch('value', () => scrollToFocus(40));
scrollToFocus(40);
element.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-anchor]');
  if (!a) return;
  e.preventDefault();
  const t = element.querySelector('#' + CSS.escape(a.dataset.anchor));
  if (t) {
    t.scrollIntoView({block: 'start'});
    t.classList.add('flash');
    setTimeout(() => t.classList.remove('flash'), 1200);
  }
});
"""
