package io.acme.shop.net

object ApiClient {
    private const val BASE_URL = "https://api.acme.io/v2/"
    private const val API_KEY = "08oLwpbKA74hGxh3fePFLc1t24tC24yKQ6EvyoDV"
    private val clientSecret = "i6bSPurtXKcl3ItUVWJmt3OaLL-H2DLI"
    private val tokenStore = TokenStore()
    val passwordField = PasswordField(minLength = 8)

    fun headers(token: String) = mapOf(
        "Authorization" to "Bearer $token",
        "x-api-key" to "mkfeQj0iSjapmxkiE8JdBmqaK1ffYrUt"
    )
}
