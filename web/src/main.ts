import { createApp } from 'vue';
import * as El from 'element-plus';
import 'element-plus/dist/index.css';
import App from './App.vue';
import { hasToken, loadMe, prefetchRuns, whenSignedOut } from './api';
import { i18n } from './i18n';
import { router } from './router';
import './style.css';

const app = createApp(App);
// Only the Element Plus components the pages use (the whole library would double the bundle),
// each named once as El.X: the bundler keeps just these.
for (const c of [
  El.ElAlert,
  El.ElAside,
  El.ElAutoResizer,
  El.ElButton,
  El.ElCard,
  El.ElCheckbox,
  El.ElCol,
  El.ElConfigProvider,
  El.ElContainer,
  El.ElDescriptions,
  El.ElDescriptionsItem,
  El.ElDialog,
  El.ElDivider,
  El.ElDrawer,
  El.ElForm,
  El.ElFormItem,
  El.ElHeader,
  El.ElInput,
  El.ElLoading,
  El.ElMain,
  El.ElMenu,
  El.ElMenuItem,
  El.ElOption,
  El.ElPagination,
  El.ElProgress,
  El.ElRadio,
  El.ElRadioButton,
  El.ElRadioGroup,
  El.ElResult,
  El.ElRow,
  El.ElSelect,
  El.ElTable,
  El.ElTableColumn,
  El.ElTableV2,
  El.ElTag,
])
  app.use(c);

whenSignedOut(() => {
  const current = router.currentRoute.value;
  if (current.name !== 'login') void router.push({ name: 'login', query: { redirect: current.fullPath } });
});

// Start what the first page needs at once, side by side: who is signed in, and the code of the
// page asked for (the router would fetch it only after the first answer; bench:web).
// On the overview its data too: the newest year's runs.
const first = router.resolve(location.pathname);
if (hasToken()) {
  void loadMe().catch(() => undefined);
  if (first.name === 'agency-overview') prefetchRuns();
}
for (const r of first.matched) {
  const page = r.components?.default;
  if (typeof page === 'function') void (page as () => Promise<unknown>)();
}

app.use(i18n).use(router).mount('#app');
