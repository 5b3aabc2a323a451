import React from 'react';
import DOMPurify from 'dompurify';

const params = new URLSearchParams(window.location.search);

export function renderGreeting() {
  const name = params.get('name');
  document.getElementById('greeting').innerHTML = 'Welcome, ' + name; // bad: 79
  document.getElementById('greeting-safe').textContent = 'Welcome, ' + name; // ok: 79
}

export function renderNotice() {
  const notice = decodeURIComponent(window.location.hash.slice(1));
  document.write('<div class="notice">' + notice + '</div>'); // bad: 79
  document.getElementById('notice').innerHTML = DOMPurify.sanitize(notice); // ok: 79
}

export function Comment({ html }) {
  const fromUrl = params.get('preview');
  return <div dangerouslySetInnerHTML={{ __html: fromUrl || html }} />; // bad: 79
}

export function SafeComment() {
  const fromUrl = params.get('preview');
  return <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(fromUrl) }} />; // ok: 79
}

export function followReturn() {
  const back = params.get('return');
  window.location.href = back; // bad: 601
}

export function followReturnSafe() {
  const back = params.get('return');
  window.location.href = back && back.startsWith('/') && !back.startsWith('//') ? back : '/'; // ok: 601
}

window.addEventListener('message', (event) => {
  if (event.origin !== 'https://app.example.com') return;
  document.getElementById('frame-title').textContent = event.data.title; // ok: 79
});
