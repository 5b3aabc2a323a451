module.exports = {
  port: process.env.PORT || 3000,
  mongoUri: process.env.MONGO_URI || "mongodb://admin:Sqt9yw775LK1eUHXaQeI@mongo.internal:27017/app?authSource=admin",
  jwtSecret: process.env.JWT_SECRET || "ZJqRci0Igic5vPlfCSpERvcwS4A0qcNU",
  sessionSecret: process.env.SESSION_SECRET,
  appSecret: "95617f1b9f06ffd88ca79b3de50558a656df22a99e4710298eafe38149af792e",
  webhookSecret: "whsec_wNghIYFfINRFxjSbQJG7RP5XfiU7cAqE",
  apiKey: process.env.API_KEY || "",
  twilio: {
    accountSid: "AC3f56da127dcead6b2770ea6edbc92ed8",
    authToken: "f9b5d1001a60707aa3f7ded3598331b0",
  },
  passwordSaltRounds: 12,
  tokenExpiry: "7d",
};
