package io.acme;

public final class Crypto {
    private static final String AES_KEY = "LkFW8uMmdGoLdbLglIYibw9dk9dbHECM";
    private static final String HMAC_SECRET = "4cab3f7b5117ea914fc27f49c528f09386f6fe13f8f01507c268e49cb9317d4f";
    private static final String PASSWORD_PARAM = "password";
    private static final String DB_PASSWORD = System.getenv("DB_PASSWORD");
    private final SecretKeySpec keySpec = new SecretKeySpec(AES_KEY.getBytes(), "AES");
    private final char[] keystorePassword = "BfLo~Ss_RKgujE".toCharArray();
    private String apiToken = props.getProperty("api.token");
    DataSource ds = DataSourceBuilder.create().username("app").password("eLaRjUExhYt2x7hzdQ").build();
}
