import { replaceChildren } from './dom.js';

/**
 * Asks for confirmation in the page's modal <dialog> (focus stays inside it; Escape cancels).
 * Focus starts on Cancel, so a stray Enter never confirms something destructive; it returns to the
 * button that opened the dialog afterwards. Resolves true when confirmed.
 */
export function confirmDialog({ title, message, confirmLabel, danger = true }) {
  const dialog = document.getElementById('confirm');
  const titleElement = document.getElementById('confirm-title');
  const messageElement = document.getElementById('confirm-message');
  const cancel = document.getElementById('confirm-cancel');
  const confirm = document.getElementById('confirm-ok');
  const opener = document.activeElement;

  titleElement.textContent = title;
  replaceChildren(messageElement, message);
  confirm.textContent = confirmLabel;
  confirm.className = danger ? 'danger' : 'primary';

  return new Promise((resolve) => {
    const finish = (confirmed) => {
      cancel.removeEventListener('click', onCancel);
      confirm.removeEventListener('click', onConfirm);
      dialog.removeEventListener('close', onClose);
      if (dialog.open) dialog.close();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(confirmed);
    };
    const onCancel = () => finish(false);
    const onConfirm = () => finish(true);
    const onClose = () => finish(false);
    cancel.addEventListener('click', onCancel);
    confirm.addEventListener('click', onConfirm);
    dialog.addEventListener('close', onClose);
    dialog.showModal();
    cancel.focus();
  });
}
