// Runs once per page (Gradio's js_on_load of the header): installs the chat's CSS (the placeholder in
// style.textContent below is replaced by static/chat/chat.css) and the fact-card copy handler. The buttons carry the fact in
// their `value` (the sanitizer keeps it; no inline JS).
if (!window.__raReady) {
  window.__raReady = true;
  const style = document.createElement('style');
  style.id = 'ra-style';
  style.textContent = __CSS__;
  document.head.appendChild(style);
  const copy = async (text) => {
    try {
      if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(text); return true; }
    } catch (e) {}
    const area = document.createElement('textarea');
    area.value = text; area.setAttribute('readonly', ''); area.style.position = 'fixed'; area.style.opacity = '0';
    document.body.appendChild(area); area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (e) {}
    area.remove();
    return ok;
  };
  document.addEventListener('click', async (ev) => {
    const button = ev.target.closest ? ev.target.closest('button.ra-fact') : null;
    if (!button) return;
    ev.preventDefault(); ev.stopPropagation();
    window.__raLastFact = button.value;
    const label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    const ok = await copy(button.value);
    button.textContent = ok ? '✓ ' + label.replace(/^📋\s*/, '') : button.value;
    setTimeout(() => { button.textContent = label; }, 1800);
  }, true);
}
