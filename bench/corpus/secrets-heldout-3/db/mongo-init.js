db.createUser({ user: "app", pwd: "hlI7KKfrHUpku800RK", roles: [{ role: "readWrite", db: "app" }] });
db.createUser({ user: "report", pwd: passwordPrompt(), roles: ["read"] });
