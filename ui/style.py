"""Styles for the HTML built by ``ui.render`` (a module, not a .css file, so it ships with
the package). Local only: no remote fonts or images."""

CSS = r""".app-header h1 { margin: 0.2em 0 0.1em; font-size: 1.6em; color: #9b1c1c; }
.app-header p { margin: 0 0 0.6em; color: #475569; }

/* chat bubbles */
#chatbot .cite-marker { color: #9b1c1c; font-weight: 700; }
#chatbot .msg-sources { margin-top: 0.6em; padding-top: 0.4em; border-top: 1px solid #e2e8f0; font-size: 0.9em; }
#chatbot .msg-sources ul { margin: 0.2em 0 0 1.1em; padding: 0; }
#chatbot .abstained { color: #7c2d12; }
#chatbot .thinking { color: #64748b; }

/* source and result cards */
.src-panel { display: flex; flex-direction: column; gap: 0.6em; }
.src-title { font-weight: 700; font-size: 1.05em; margin-top: 0.4em; display: flex; justify-content: space-between; align-items: center; }
.src-empty { color: #64748b; padding: 0.6em 0; }
.src-card { border: 1px solid #e2e8f0; border-left: 4px solid #b91c1c; border-radius: 6px; padding: 0.6em 0.8em; background: #fff; }
.src-head { margin-bottom: 0.35em; }
.src-n { font-weight: 700; color: #9b1c1c; }
.src-cite { font-weight: 600; }
.src-score { float: right; color: #64748b; font-size: 0.85em; font-variant-numeric: tabular-nums; }
.src-path { color: #475569; font-size: 0.85em; margin-top: 0.15em; }
.src-para { white-space: pre-wrap; line-height: 1.55; color: #1e293b; }
.src-para mark.quote, .vb-para mark.quote { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
.src-para mark.hl { background: #fef3c7; color: inherit; border-bottom: 2px solid #f59e0b; }
.src-actions { margin-top: 0.5em; display: flex; gap: 0.5em; }
.src-btn { border: 1px solid #cbd5e1; background: #f8fafc; border-radius: 5px; padding: 0.2em 0.7em; cursor: pointer; font-size: 0.9em; color: #0f172a; }
.src-btn:hover { background: #fee2e2; border-color: #b91c1c; }
.src-btn.copied { background: #dcfce7; border-color: #16a34a; }

/* document viewer */
.vb-doc, .vb-doc * { text-align: left; }
.vb-marker { font-weight: 600; color: #475569; margin-right: 0.2em; }
#doc-table, #doc-table *, #upload-results, #upload-results * { font-family: var(--font) !important; }
.vb-scroll { max-height: 75vh; overflow-y: auto; border: 1px solid #e2e8f0; border-radius: 6px; padding: 0.8em 1em; background: #fff; }
.vb-title { margin: 0 0 0.5em; color: #9b1c1c; }
.vb-meta { border-collapse: collapse; margin-bottom: 0.8em; font-size: 0.92em; }
.vb-meta th { text-align: left; padding: 0.15em 0.8em 0.15em 0; color: #475569; font-weight: 600; vertical-align: top; white-space: nowrap; }
.vb-meta td { padding: 0.15em 0; }
.vb-toc { background: #f8fafc; border: 1px solid #e2e8f0; border-radius: 6px; padding: 0.5em 0.9em; margin-bottom: 1em; font-size: 0.92em; }
.vb-toc-title { font-weight: 700; margin-bottom: 0.2em; }
.vb-toc ul { list-style: none; margin: 0; padding: 0; }
.vb-toc li.lvl-1 { padding-left: 1.2em; }
.vb-toc li.lvl-2 { padding-left: 2.4em; }
.vb-toc li.lvl-3, .vb-toc li.lvl-4 { padding-left: 3.6em; }
.vb-toc a { color: #1d4ed8; text-decoration: none; }
.vb-toc a:hover { text-decoration: underline; }
.vb-body { line-height: 1.6; }
.vb-other { white-space: pre-wrap; color: #334155; margin: 0.5em 0; }
.vb-heading { white-space: pre-wrap; font-weight: 700; margin: 0.9em 0 0.3em; scroll-margin-top: 1em; }
.vb-heading.lvl-1 { font-size: 1.05em; color: #7f1d1d; }
.vb-label { color: #94a3b8; font-weight: 400; font-size: 0.8em; margin-right: 0.6em; }
.vb-para { white-space: pre-wrap; margin: 0.35em 0; padding: 0.3em 0.5em; border-radius: 5px; border-left: 3px solid transparent; scroll-margin-top: 2em; }
.vb-para .vb-anchor { display: block; text-align: left; font-size: 0.75em; color: #94a3b8; text-decoration: none; }
.vb-para .vb-anchor:hover { color: #1d4ed8; }
.vb-para.focus { background: #fffbeb; border-left-color: #f59e0b; }
.vb-para.flash, .vb-heading.flash { background: #e0f2fe; transition: background 0.3s; }

/* upload */
.up-status { padding: 0.5em 0.8em; border-radius: 6px; }
.up-ok { background: #f0fdf4; border: 1px solid #bbf7d0; }
.up-err { background: #fef2f2; border: 1px solid #fecaca; }
"""
