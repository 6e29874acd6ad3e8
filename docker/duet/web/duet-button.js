// Duet: a "Duet" link in every meeting, to the duet page for the same room. docker-jitsi-meet's
// web image appends /config/custom-config.js to config.js (docker/duet.yml mounts this file
// there), and Jitsi Meet loads config.js as a plain script in every meeting page, so this runs
// without rebuilding Jitsi Meet. The duet page also loads /config.js (for hosts): skip it there.
(function () {
    if (typeof document === 'undefined' || /^\/duet(\/|$)/.test(window.location.pathname)) {
        return;
    }
    var parts = window.location.pathname.split('/').filter(Boolean);
    var room = parts.length ? decodeURIComponent(parts[parts.length - 1]) : '';

    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(room)) {
        return; // the welcome page, or not a room
    }
    function addDuetLink() {
        if (document.getElementById('duet-link')) {
            return;
        }
        var a = document.createElement('a');

        a.id = 'duet-link';
        a.href = '/duet/?room=' + encodeURIComponent(room.toLowerCase());
        a.target = '_blank';
        a.rel = 'noopener';
        a.textContent = '\u266B Duet';
        a.title = 'Sing together in time: open the duet page for this meeting';
        a.setAttribute('style', 'position:fixed;top:12px;right:50%;transform:translateX(50%);z-index:400;'
            + 'padding:6px 14px;border-radius:6px;background:#3451b2;color:#fff;font:600 14px sans-serif;'
            + 'text-decoration:none;box-shadow:0 1px 4px rgba(0,0,0,.4)');
        document.body.appendChild(a);
    }
    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', addDuetLink);
    } else {
        addDuetLink();
    }
}());
