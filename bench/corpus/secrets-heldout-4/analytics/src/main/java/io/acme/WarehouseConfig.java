@Configuration
public class WarehouseConfig {
    @Value("${warehouse.password}")
    private String password;

    @Bean
    public DataSource warehouse() {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl("jdbc:postgresql://dwh.internal:5432/dwh");
        cfg.setUsername("analytics");
        cfg.setPassword("Wnz28dYJVxjzHLIhL6");
        return new HikariDataSource(cfg);
    }

    private static final String SLACK_TOKEN = "xoxb-26662836248-2204843703209-qzQIsOFfBSqSCtvSDkq26QAn";
    private static final String TOKEN_HEADER = "X-Auth-Token";
}
