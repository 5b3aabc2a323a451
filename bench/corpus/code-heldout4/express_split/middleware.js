function loadUser(req, res, next) {
  req.userFilter = req.query.user || '';
  next();
}

function requireAdmin(req, res, next) {
  if (!req.session || !req.session.admin) return res.sendStatus(403);
  next();
}

module.exports = { loadUser, requireAdmin };
