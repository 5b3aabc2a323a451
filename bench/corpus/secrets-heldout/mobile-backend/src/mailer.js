const transporter = nodemailer.createTransport({
  host: "smtp.mailtrap.io",
  port: 2525,
  auth: { user: "8bd32aba1720cc", pass: "9546aa1defa2da" },
});
const mg = mailgun.client({ username: "api", key: "50bc8f450b6091f1b48dc5ff2ba90c0b-1167f7b2-4fbaba22" });
const ses = new SESClient({ credentials: { accessKeyId: "AKIAM2JRPHWL4RRAI4IF", secretAccessKey: "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" } });
const redis = new Redis({ password: config.redis.password });
