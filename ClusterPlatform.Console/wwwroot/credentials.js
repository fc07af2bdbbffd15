// Break-glass credentials: the key pair is made here with WebCrypto and never leaves this page.
// Only the PKCS#10 certificate signing request goes to the server; the kubeconfig the Api returns
// names `client-key: key.pem`, and the download fills the key in here, in the browser.
const keys = new Map();

function derLength(n) {
  if (n < 0x80) return [n];
  const bytes = [];
  while (n > 0) { bytes.unshift(n & 0xff); n >>= 8; }
  return [0x80 | bytes.length, ...bytes];
}
function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
const der = (tag, bytes) => concat(new Uint8Array([tag, ...derLength(bytes.length)]), bytes);
const sequence = (...parts) => der(0x30, concat(...parts));
const set = (...parts) => der(0x31, concat(...parts));
const utf8String = text => der(0x0c, new TextEncoder().encode(text));
function objectId(text) {
  const arcs = text.split('.').map(Number);
  const bytes = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const encoded = [arc & 0x7f];
    for (let rest = arc >> 7; rest > 0; rest >>= 7) encoded.unshift(0x80 | (rest & 0x7f));
    bytes.push(...encoded);
  }
  return der(0x06, new Uint8Array(bytes));
}
function integer(bytes) {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && (bytes[start + 1] & 0x80) === 0) start++;
  let value = bytes.slice(start);
  if (value[0] & 0x80) value = concat(new Uint8Array([0]), value);
  return der(0x02, value);
}
function pem(label, bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  const lines = btoa(binary).match(/.{1,64}/g).join('\n');
  return `-----BEGIN ${label}-----\n${lines}\n-----END ${label}-----\n`;
}

// RFC 2986 CertificationRequest for an ECDSA P-256 key, subject O=<organization>, CN=<commonName>, no attributes.
export async function createCsr(commonName, organization) {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  const subject = sequence(set(sequence(objectId('2.5.4.10'), utf8String(organization))), set(sequence(objectId('2.5.4.3'), utf8String(commonName))));
  const info = sequence(integer(new Uint8Array([0])), subject, publicKey, new Uint8Array([0xa0, 0x00]));
  // WebCrypto signs as r || s (IEEE P1363); X.509 wants the DER SEQUENCE of the two INTEGERs.
  const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, info));
  const signature = sequence(integer(raw.slice(0, raw.length / 2)), integer(raw.slice(raw.length / 2)));
  const request = sequence(info, sequence(objectId('1.2.840.10045.4.3.2')), der(0x03, concat(new Uint8Array([0]), signature)));
  const handle = crypto.randomUUID();
  keys.set(handle, pem('PRIVATE KEY', new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey))));
  return { handle, csr: pem('CERTIFICATE REQUEST', request) };
}

export function hasKey(handle) {
  return keys.has(handle);
}

// Saves the kubeconfig with the key in it (client-key-data), or returns false when this page no longer holds the key.
export function downloadKubeconfig(handle, kubeconfig, fileName) {
  const key = keys.get(handle);
  if (!key) return false;
  const filled = kubeconfig.replace(/^(\s*)client-key:.*$/m, `$1client-key-data: ${btoa(key)}`);
  const url = URL.createObjectURL(new Blob([filled], { type: 'application/yaml' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return true;
}
