function renderGreeting() {
  const params = new URLSearchParams(window.location.search);
  const name = params.get('name') || 'guest';
  document.querySelector('#greeting').innerHTML = '<b>' + name + '</b>'; // bad: 79
  document.querySelector('#plain').textContent = name; // ok: 79
}

function renderTab() {
  const tab = decodeURIComponent(location.hash.substring(1));
  document.write('<div class="tab">' + tab + '</div>'); // bad: 79
}

window.addEventListener('message', function (e) {
  const target = document.getElementById('inbox');
  target.insertAdjacentHTML('beforeend', e.data.html); // bad: 79
  target.insertAdjacentHTML('beforeend', '<hr>'); // ok: 79
});

function go() {
  const next = new URLSearchParams(location.search).get('next');
  window.location.href = next; // bad: 601
}

renderGreeting();
renderTab();
go();
