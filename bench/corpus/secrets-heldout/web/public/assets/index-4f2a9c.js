!function(){"use strict";var e={apiKey:"5afL4AqqNuKcNC1mabTdsnoC0ynfeB4Ui63koXF",authDomain:"shop-prod.firebaseapp.com",projectId:"shop-prod"},t={baseURL:"https://api.acme.io",headers:{"x-api-key":"nZg8S9cnpGDTSK7gRBfFHgENnRogFuK5B3dGKS8U"}};window.__cfg={e:e,t:t}}();
var n=function(e){return e.token=e.token||localStorage.getItem("token"),e},r={clientSecret:"MFTt4KxrFCh0_PxhuDGMnHFwLsEwP2cI",clientId:"eJ5dffGIM_X8P3BJaWXX"};export{n as a,r as b};
var o="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=",i={keyStr:o,encode:function(e){return btoa(e)}};
function s(e,t){return fetch(e,{headers:{Authorization:"Bearer "+t.accessToken}})}var a={passwordMinLength:8,tokenRefreshMs:6e4};
const c=Object.freeze({STRIPE_PK:"pk_live_653mGgd13JMQI0RYhpOOe6TU",SENTRY_DSN:"https://f144731051abcc3e11d370b714d9ba97@o922106.ingest.sentry.io/2806799"});
