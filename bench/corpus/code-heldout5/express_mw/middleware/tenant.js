// Copies the caller's choices onto the request for the routes mounted after it.
function tenantFilter(req, res, next) {
  req.tenantFilter = { tenant: req.headers['x-tenant'], status: req.query.status };
  req.searchText = String(req.query.q || '');
  next();
}

function fixedFilter(req, res, next) {
  req.safeFilter = { tenant: 'public' };
  next();
}

module.exports = { tenantFilter, fixedFilter };
