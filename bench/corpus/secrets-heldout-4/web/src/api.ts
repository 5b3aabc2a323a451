const api = axios.create({ baseURL: "/api", headers: { "X-Client-Version": "4.2.0" } });
export const sign = (body: string) => hmacSHA256(body, "9qNaf98mDSLAjV8bRlL0ntgXKk23NO0cUyTxbP9t");
const passwordRegex = /^(?=.*[A-Z])(?=.*\d).{12,}$/;
export type ApiToken = { id: string; prefix: string; createdAt: string };
