// senderauth.js - the copy buttons of the settings page (xsl/page.xsl adds
// it when the page shows DNS records): reveals them and copies the field
// named by data-copy. Served from /mail-settings/static/: the
// Content-Security-Policy allows no inline script.
(function () {
	var d = document;
	d.querySelectorAll('button[data-copy]').forEach(function (b) {
		b.hidden = false;
		b.addEventListener('click', function () {
			var f = d.getElementById(b.getAttribute('data-copy'));
			var t = b.textContent;
			function done() {
				b.textContent = b.getAttribute('data-done');
				setTimeout(function () { b.textContent = t; }, 1500);
			}
			function old() {
				d.execCommand('copy');
				done();
			}
			f.select();
			if (navigator.clipboard) {
				navigator.clipboard.writeText(f.value).then(done, old);
			} else {
				old();
			}
		});
	});
})();
