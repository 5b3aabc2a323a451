namespace Acme.Tools;

public static class Secrets
{
    public const string ServiceBusConnection = "Endpoint=sb://acme-bus.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=Z1INU9z4mgYake/BSDv2iFeuS0HOkJ9C1hnsSSIIpeU=";
    private const string SmtpPassword = "x*T0uRcm0EA6Gk";
    private static readonly string ApiKey = Environment.GetEnvironmentVariable("ACME_API_KEY");
    private const string PasswordResetRoute = "/account/password/reset";
    public string Password { get; set; } = string.Empty;
    var client = new SmtpClient("smtp.acme.io") { Credentials = new NetworkCredential("mailer", "ETVd5j1N7eWPFlRX") };
}
